"""The program python.run starts: runs a person's code in a fresh interpreter and reports the result.

It is sent to the child as text (``python -c``), so it must import nothing from Flowdeck. Protocol:
the payload arrives as JSON on stdin; the outcome is written as JSON to the file named in argv[1].
"""

SOURCE = r'''
import ast, json, os, sys, traceback

def _outcome(path, **values):
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(values, fh, default=str)

def _line(tb, filename):
    lines = [f.lineno for f in traceback.extract_tb(tb) if f.filename == filename]
    return lines[-1] if lines else None

class _Values(dict):
    """A dict whose keys also read as attributes: steps.fetch.json as well as steps["fetch"]["json"]."""
    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no value named {name!r} (there are: {', '.join(map(str, self)) or 'none'})")

def _main():
    out_path = sys.argv[1]
    payload = json.loads(sys.stdin.buffer.read().decode("utf-8"), object_hook=_Values)
    sys.stdin = open(os.devnull)
    filename = payload["filename"]
    if payload.get("folder"):
        sys.path.insert(0, payload["folder"])
    env = {"__name__": "__main__", "__file__": filename, "__builtins__": __builtins__}
    env.update(payload["names"])
    try:
        tree = ast.parse(payload["code"], filename)
    except SyntaxError as exc:
        return _outcome(out_path, error=f"SyntaxError: {exc.msg}", line=exc.lineno)
    wrapped = any(isinstance(n, ast.Return) for n in _top_level(tree))
    if wrapped:  # top-level 'return' gives the result: run the code as a function body
        fn = ast.FunctionDef(name="__flowdeck_code__", args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[],
            kw_defaults=[], defaults=[]), body=tree.body or [ast.Pass()], decorator_list=[], returns=None,
            type_params=[])
        tree = ast.Module(body=[fn], type_ignores=[])
        ast.fix_missing_locations(tree)
    try:
        exec(compile(tree, filename, "exec"), env)
        value = env["__flowdeck_code__"]() if wrapped else env.get("result")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if code:
            line = _line(exc.__traceback__, filename)
            return _outcome(out_path, error=f"the code called sys.exit({exc.code!r})", line=line)
        value = env.get("result")
    except BaseException as exc:
        return _outcome(out_path, error=f"{type(exc).__name__}: {exc}", line=_line(exc.__traceback__, filename))
    try:
        _outcome(out_path, result=value)
    except (TypeError, ValueError) as exc:
        _outcome(out_path, error=f"the result cannot be passed on ({exc}); use numbers, text, lists and dicts")

def _top_level(tree):
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        yield node
        todo.extend(ast.iter_child_nodes(node))

_main()
'''
