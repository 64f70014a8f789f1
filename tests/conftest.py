import os
import sys

# tests/ imports its own helpers as `tests.catalogue...`.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
