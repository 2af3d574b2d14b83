"""`python -m bench`: the engine, app and touch benchmarks, one table each. `python -m bench engine`, `python -m bench
app` or `python -m bench touch` (placing a start by clicking) for one; `python -m bench app --against COMMIT` times
the app at that commit and this tree in turn, with their ratios. `python -m bench load [--against COMMIT]`: a class
of students on one server (not part of the default run: it takes minutes). `python -m bench workers`: one heavy fit
on the server's thread and in a worker process."""

import sys

from bench import app, engine, load, touch, workers

if __name__ == "__main__":
    if sys.argv[1:2] == ["load"]:
        load.main(sys.argv[2:])
        sys.exit()
    if sys.argv[1:2] == ["workers"]:
        workers.main()
        sys.exit()
    chosen = [name for name in sys.argv[1:] if name in ("engine", "app", "touch")] or ["engine", "app", "touch"]
    options = [argument for argument in sys.argv[1:] if argument not in chosen]
    if "engine" in chosen:
        engine.main()
    if "app" in chosen:
        app.main(options)
    if "touch" in chosen:
        touch.main()
