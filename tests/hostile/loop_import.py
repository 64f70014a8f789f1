"""Loops forever while being imported.

Honest outcome: the import times out (import_timeout); every function fails
with kind "timeout"; the child is killed and not restarted for each call.

expect import: timeout "took longer than"
"""

while True:
    pass
