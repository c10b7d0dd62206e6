"""Reads generated DAG files back with Python's own parser, for the tests.

Usage: python3 readback.py FILE...

Each file is parsed and compiled (a syntax error fails), then walked as
meshc writes DAGs: a `with DAG(...)` block per product, `with TaskGroup(...)
as NAME` blocks, tasks assigned as `NAME = Operator(task_id=..., ...)`, and
dependencies as `A >> B`, where A or B may be a task, a list of tasks, or a
TaskGroup (its last tasks on the left, its first ones on the right, as
Airflow does). Prints JSON: for each DAG, its tasks with their operator and
templated strings (rendered with Jinja when Python has it), its dependencies, its schedule's cron and asset URIs,
and the URIs its tasks publish. Also lists every function called in the
file with the arguments it is given (keywords by name, positional ones as
#0, #1...), so that a test can check that no string became code and that
every call uses parameters the class has.
"""

import ast
import json
import sys

try:
    import jinja2
except ImportError:
    jinja2 = None


def render(s):
    """Renders a templated string as Airflow does (its Jinja environment has
    the same delimiters and drops one trailing newline), or None without
    Jinja."""
    if jinja2 is None:
        return None
    return jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(s).render()


def const(node):
    return ast.literal_eval(node)


def kwargs(call):
    return {k.arg: k.value for k in call.keywords if k.arg}


def callee(call):
    f = call.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
        return f.value.id + "." + f.attr
    return ast.dump(f)


def asset_uris(node):
    uris = []
    for n in ast.walk(node):
        if isinstance(n, ast.Call) and callee(n) == "Asset":
            uris.append(const(kwargs(n)["uri"]))
        elif isinstance(n, ast.Call) and callee(n) == "Dataset":
            uris.append(const(n.args[0]))
    return sorted(uris)


def crons(node):
    return [const(n.args[0]) for n in ast.walk(node)
            if isinstance(n, ast.Call) and callee(n) == "CronTriggerTimetable"]


def read_dag(with_node, call):
    kw = kwargs(call)
    dag = {"dag_id": const(kw["dag_id"]), "doc_md": const(kw["doc_md"]), "tasks": {}, "edges": [],
           "schedule_assets": asset_uris(kw["schedule"]), "schedule_crons": crons(kw["schedule"]),
           "outlets": []}
    variables = {}  # name -> task id
    groups = {}     # name -> [task ids]
    raw_edges = []

    def walk(body, group):
        for st in body:
            if isinstance(st, ast.With):
                c = st.items[0].context_expr
                gid = const(c.args[0])
                name = st.items[0].optional_vars.id
                groups[name] = []
                walk(st.body, (name, gid))
            elif isinstance(st, ast.Assign) and isinstance(st.value, ast.Call):
                c = st.value
                k = kwargs(c)
                tid = const(k["task_id"])
                if group:
                    tid = group[1] + "." + tid
                    groups[group[0]].append(tid)
                variables[st.targets[0].id] = tid
                strings = {}
                for name, v in k.items():
                    if name in ("sql", "bash_command", "doc_md", "task_display_name") and isinstance(v, ast.Constant):
                        strings[name] = v.value
                    if name == "env" and isinstance(v, ast.Dict):
                        strings["env"] = {const(kk): const(vv) for kk, vv in zip(v.keys, v.values) if kk is not None}
                rendered = {}
                for name in ("sql", "bash_command"):
                    if name in strings:
                        rendered[name] = render(strings[name])
                if "env" in strings:
                    rendered["env"] = {kk: render(vv) for kk, vv in strings["env"].items() if "var.value" not in vv}
                dag["tasks"][tid] = {"operator": callee(c), "strings": strings, "rendered": rendered}
                if "outlets" in k:
                    dag["outlets"] += asset_uris(k["outlets"])
            elif isinstance(st, ast.Expr) and isinstance(st.value, ast.BinOp) and isinstance(st.value.op, ast.RShift):
                raw_edges.append((st.value.left, st.value.right))
            else:
                raise SystemExit("unexpected statement at line %d" % st.lineno)

    walk(with_node.body, None)

    def names(node):
        if isinstance(node, ast.List):
            return [e.id for e in node.elts]
        return [node.id]

    task_edges = set()
    for left, right in raw_edges:
        for l in names(left):
            for r in names(right):
                if l in variables and r in variables:
                    task_edges.add((variables[l], variables[r]))
    for left, right in raw_edges:
        for l in names(left):
            for r in names(right):
                if l in variables and r in variables:
                    continue
                ups = [variables[l]] if l in variables else [t for t in groups[l] if not any(e[0] == t and e[1] in groups[l] for e in task_edges)]
                downs = [variables[r]] if r in variables else [t for t in groups[r] if not any(e[1] == t and e[0] in groups[r] for e in task_edges)]
                for u in ups:
                    for d in downs:
                        task_edges.add((u, d))
    dag["edges"] = sorted(task_edges)
    return dag


def main():
    out = {"dags": [], "calls": set(), "constants": {}, "docstrings": [], "jinja": jinja2 is not None, "arguments": {}, "undefined": set()}
    for path in sys.argv[1:]:
        src = open(path, encoding="utf-8").read()
        compile(src, path, "exec")
        tree = ast.parse(src, path)
        for n in ast.walk(tree):
            if isinstance(n, ast.Call):
                out["calls"].add(callee(n))
                args = out["arguments"].setdefault(callee(n), set())
                args.update(k.arg for k in n.keywords if k.arg)
                args.update("#%d" % i for i in range(len(n.args)))
        out["docstrings"].append(ast.get_docstring(tree, clean=False))
        # Every name the file reads is imported or assigned in it: an
        # undefined one would be an import error in Airflow's DagBag.
        defined = set(dir(__builtins__))
        for n in ast.walk(tree):
            if isinstance(n, (ast.Import, ast.ImportFrom)):
                defined.update((a.asname or a.name).split(".")[0] for a in n.names)
            elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                defined.add(n.id)
        for n in ast.walk(tree):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in defined:
                out["undefined"].add("%s:%d: %s" % (path, n.lineno, n.id))
        for st in tree.body:
            if isinstance(st, ast.Assign) and isinstance(st.value, ast.Constant):
                out["constants"][st.targets[0].id] = st.value.value
            if isinstance(st, ast.With) and callee(st.items[0].context_expr) == "DAG":
                out["dags"].append(read_dag(st, st.items[0].context_expr))
    out["calls"] = sorted(out["calls"])
    out["undefined"] = sorted(out["undefined"])
    out["arguments"] = {k: sorted(v) for k, v in out["arguments"].items()}
    json.dump(out, sys.stdout, indent=1, sort_keys=True)


main()
