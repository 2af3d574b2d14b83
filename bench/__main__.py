"""`python -m bench`: every benchmark, one table each. `python -m bench engine`, `python -m bench app` or
`python -m bench touch` (placing a start by clicking) for one;
`python -m bench app --against COMMIT` times the app at that commit and this tree in turn, with their ratios."""

import sys

from bench import app, engine, touch

if __name__ == "__main__":
    chosen = [name for name in sys.argv[1:] if name in ("engine", "app", "touch")] or ["engine", "app", "touch"]
    options = [argument for argument in sys.argv[1:] if argument not in chosen]
    if "engine" in chosen:
        engine.main()
    if "app" in chosen:
        app.main(options)
    if "touch" in chosen:
        touch.main()
