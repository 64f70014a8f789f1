"""Console entry point; the commands live in dlgrade.grader.cli."""


def main() -> None:
    from dlgrade.grader.cli import main as _main

    _main()
