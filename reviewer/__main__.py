"""Allow ``python -m reviewer``; `run` is also the `ctreview` console script."""


def run() -> None:
    """The command line, its modules imported with the cycle collector paused (start_up.py)."""
    from reviewer import start_up

    start_up.pause()
    from reviewer.cli import main

    main()


if __name__ == "__main__":
    run()
