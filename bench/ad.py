"""AD overhead: value+gradient and HVP time divided by the plain numpy f time, in one process.

Run: python bench/ad.py [--quick]. BLAS is pinned to one thread before numpy loads. Every
derivative is checked against a hand-written or finite-difference reference before timing.

jax.jit reference (issue 17; jax is not a dependency): a one-off run on 2026-12-06, jax 0.10.2
in a throwaway venv, x64, CPU async dispatch off, one Eigen thread, jitted value_and_grad and
jvp-of-grad HVP of the same functions in jax.numpy, against numpy's f and optkit.compile()
(blocked='auto') in the same process; process CPU time (XLA may compute on helper threads:
the calling thread's CPU time alone gives jax the lower figures in brackets), best of 3
interleaved, machine load 9-15 on 2 cores:

    case                  jax v+g       optkit v+g   jax hvp       optkit hvp
    rosenbrock n=10       1.79 (1.81)   2.37         1.34 (1.38)   2.76
    rosenbrock n=1000     1.72 (1.64)   2.50         1.21 (1.16)   2.74
    rosenbrock n=1e5      1.52 (0.76)   1.50         0.50 (0.26)   1.94
    rosenbrock n=1e6      0.84 (0.39)   1.04         0.25 (0.12)   1.48
    logistic 2000x500     1.80 (1.01)   1.92         2.55 (1.33)   1.78
    logistic 20000x200    2.31 (0.97)   1.71         2.91 (0.82)   1.52
    mlp 32-64-1 b=256     1.71 (1.65)   2.54         2.17 (2.22)   3.59
    scalar loop (50 it)   0.54 (0.54)   1.51         0.45 (0.45)   1.91

(the optkit columns above are from before issue 17's replay work.)

Where the compiled replay stands after it (this script's "why the rest" table, thread CPU
time, 2026-12-06, machine loaded by other jobs; ours v+g / hvp against jax's):

    case                  ours v+g   jax v+g   ours hvp   jax hvp   floor v+g/hvp  verdict
    rosenbrock n=10       1.29-1.38  1.79      0.90-0.93  1.34      0.72/0.50  met/met
    rosenbrock n=1000     1.50-1.60  1.72      1.03-1.14  1.21      0.50/0.35  met/met
    rosenbrock n=1e5      1.24-1.45  1.52      1.23-1.57  0.50      0.72/0.72  met/out
    rosenbrock n=1e6      0.82-0.92  0.84      0.84-1.07  0.25      0.48/0.53  parity/out
    logistic 2000x500     1.44-1.62  1.80      1.24-1.44  2.55      1.27/1.29  met/met
    logistic 20000x200    1.40       2.31      1.17       2.91      1.10/1.11  met/met
    mlp 32-64-1 b=256     1.60-1.75  1.71      1.55-1.71  2.17      0.92/0.99  parity/met
    scalar loop (50 it)   1.34-1.38  0.54      1.51-1.58  0.45      0.82/1.01  out/out

(ranges over several runs, the higher ones with other jobs on both cores: the rosenbrock
n=1000 HVP 1.03-1.14 over five runs at load 4; mlp: load 3-6, the hand-written floor
below.) The cells closed in this round:
- rosenbrock n=1000 HVP, 1.38 -> 1.03-1.14: the call path, ~1.9 us over the product
  program, is ~1.2 us (``bench/call_path.py``): the split program's kept point and residuals
  are one tuple read without a lock (the lock alone was ~0.5 us), and the float64 path
  (``Linearized.product``) compares x with the kept point by its bytes (a copy and a
  memcmp, 0.22 us at n = 1000, against 0.42 us through ``_Point.same`` and 1.36 us for
  ``np.array_equal``; still complete: an x written in place or -0.0 for 0.0 is another
  point). The product program, ~0.9-0.98x f (10 numpy calls against f's 11), writes two
  of its products into temporaries read for the last time (``compiled.inplace``: the same
  bits, an allocation fewer each): 1.15 -> 1.075 in an A/B of the same process (v+g at
  n = 1000 1.52 -> 1.41).
- logistic 2000x500 v+g, 1.86 -> 1.44-1.62: ``A @ w``, the loss's elementwise work and
  ``s @ A`` run over blocks of 262 rows of A (``compiled.regions``' matvec and vecmat,
  1 MB of A per block), so the second product reads each block of A from cache instead of
  memory: the two products cost ~1.2x f where they cost 1.65x (jax.jit reads A twice).
  The HVP's products gain the same way (1.76 -> 1.24-1.44).
- mlp v+g 2.16 -> 1.60-1.75 and HVP 2.31 -> 1.55-1.71, by rewrites of the replay, each
  exact up to summation order (``compiled.affine``, ``compiled.outer``,
  ``compiled.assemble``): the bias add goes into the first product as a column of ones on
  X (``[X | 1] [W1; b1]``, the two adjacent in p: a view), the reverse pass's sum over
  rows into the last (``[X | 1]^T D``); the outer products (g w2^T; the HVP's sum of two)
  are BLAS products of depth 2 (``[g | 0] [w2; 0]``, 4.6 us, where numpy's broadcast
  multiply takes 12 us and a BLAS call of depth 1 22 us); the gradient is one join of its
  pieces; reshapes and transposes are method calls. The floor, measured by the script's
  "hand-written" section in the same run: the best numpy v+g I could write, exact up to
  summation order (out= buffers, the same folds, tanh' in place), 1.41-1.54x f; the
  compiled v+g is 0-8 us above it (its lines' best times add up to 69-83 us, the
  hand-written one's to 69-75 us, over runs; the rest is the call path and the load).
  Reassociating products through the last product (D = diag(g) S diag(w2), not the
  derivative's roundings, so not a replay's rewrite) gains nothing more (1.42-1.54x).
  So v+g is at jax's 1.71 within the run-to-run spread (the table's blocked column
  1.60-1.70 over five runs at load 3-6, the unblocked one, the same program at this size,
  up to 1.75; jax's own figure is from one run at load 9-15), 0.1-0.2 above an exact
  floor of ~1.5x that leaves no large rewrite; the HVP is met, its part on v
  hand-written exact 1.26-1.47x (with -2 G h precomputed at x, reassociated,
  1.13-1.35x).

floor: a lower bound for a replay that makes the program's numpy calls, (BLAS time + each
other call at the cheapest numpy call measured in the run + each in-cache pass of a blocked
loop at the cheapest pass measured) / f time; "out": floor above jax's ratio. Out of reach
for numpy-level replay:
- rosenbrock n=1e5 and n=1e6 HVP: the blocked HVP makes 13 ufunc calls per block, each an
  in-cache pass over the vector (XLA: one fused loop reading x and v once); 13 passes at
  the cheapest measured in-cache pass are 0.5-0.85x f with the calls, above jax's 0.25
  and 0.50.
- scalar loop: f is 299 numpy calls on scalars; the v+g program makes 484, the HVP 604; at
  the cheapest scalar call measured (23-27 ns) that is 0.82x / 1.01x f, above jax's
  0.54 / 0.45 (XLA compiles the loop into one kernel, no per-operation dispatch).
Not met and not proven out of reach (the measured reasons):
- rosenbrock n=1e6 v+g: 0.82-0.86 interleaved against jax's 0.84, parity within the
  run-to-run spread; 13 in-cache passes per element (floor 0.48) and ~25 calls per block
  of 16384 rows.
"""

import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import ast  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import optkit  # noqa: E402
from optkit.ad.compiled.codegen import codegen  # noqa: E402
from optkit.ad.compiled.regions import BLOCK_SIZE  # noqa: E402
from optkit.ad.staging import stage  # noqa: E402


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_grad(x):
    g = np.zeros_like(x)
    d = x[1:] - x[:-1] ** 2
    g[:-1] = -400.0 * x[:-1] * d - 2.0 * (1.0 - x[:-1])
    g[1:] += 200.0 * d
    return g


def rosenbrock_hvp(x, v):
    hv = np.zeros_like(x)
    hv[:-1] = (1200 * x[:-1] ** 2 - 400 * x[1:] + 2) * v[:-1] - 400 * x[:-1] * v[1:]
    hv[1:] += -400 * x[:-1] * v[:-1] + 200 * v[1:]
    return hv


def make_logistic(m, n, lam=1e-2, seed=0):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((m, n)) / np.sqrt(n)
    y = np.where(rng.standard_normal(m) > 0, 1.0, -1.0)

    def f(w):
        z = y * (A @ w)
        return np.mean(np.logaddexp(0.0, -z)) + 0.5 * lam * np.dot(w, w)

    def g(w):
        z = y * (A @ w)
        s = -y / (1.0 + np.exp(z))
        return A.T @ s / m + lam * w

    def hvp(w, v):
        z = y * (A @ w)
        p = 1.0 / (1.0 + np.exp(-z))
        return A.T @ (p * (1 - p) * (A @ v)) / m + lam * v

    return f, g, hvp, n


def make_mlp(d_in=32, hidden=64, batch=256, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, d_in))
    t = np.sin(X @ rng.standard_normal(d_in))
    sizes = [(d_in, hidden), (hidden,), (hidden, 1), (1,)]
    n = sum(int(np.prod(s)) for s in sizes)

    def f(p):
        W1 = p[: d_in * hidden].reshape(d_in, hidden)
        b1 = p[d_in * hidden: d_in * hidden + hidden]
        k = d_in * hidden + hidden
        W2 = p[k: k + hidden].reshape(hidden, 1)
        b2 = p[k + hidden]
        h = np.tanh(X @ W1 + b1)
        out = (h @ W2)[:, 0] + b2
        return np.mean((out - t) ** 2)

    f.data = X, t  # for mlp_hand_written
    return f, None, None, n


def make_mlp_dict(d_in=32, hidden=64, batch=256, seed=0):
    """The MLP of make_mlp with its parameters as a dict of four arrays (issue 12)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, d_in))
    t = np.sin(X @ rng.standard_normal(d_in))

    def f(p):
        h = np.tanh(X @ p["W1"] + p["b1"])
        out = (h @ p["W2"])[:, 0] + p["b2"]
        return np.mean((out - t) ** 2)

    shapes = {"W1": (d_in, hidden), "b1": (hidden,), "W2": (hidden, 1), "b2": ()}
    return f, shapes


def structured_vs_flat(quick=False, repeats=5):
    """Value+gradient of the MLP on a dict of four arrays against the same MLP on one flat
    vector (same numbers), eager and compiled; best of ``repeats`` interleaved timings."""
    f_flat, _, _, n = make_mlp()
    f_dict, shapes = make_mlp_dict()
    rng = np.random.default_rng(2)
    flat = rng.standard_normal(n) * 0.1
    params, k = {}, 0
    for name in ("W1", "b1", "W2", "b2"):  # make_mlp's slicing order
        size = int(np.prod(shapes[name]))
        params[name] = flat[k:k + size].reshape(shapes[name]).copy()
        k += size
    v_flat, g_flat = optkit.value_and_grad(f_flat)(flat)
    v_dict, g_dict = optkit.value_and_grad(f_dict)(params)
    assert np.isclose(v_flat, v_dict)
    g_back = np.concatenate([np.reshape(g_dict[k], -1) for k in ("W1", "b1", "W2", "b2")])
    _check("mlp dict gradient", g_back, g_flat, 1e-10)
    fc_flat, fc_dict = optkit.compile(f_flat), optkit.compile(f_dict)
    _check("mlp dict gradient (compiled)", np.concatenate(
        [np.reshape(optkit.value_and_grad(fc_dict)(params)[1][k], -1)
         for k in ("W1", "b1", "W2", "b2")]), g_flat, 1e-10)
    optkit.value_and_grad(fc_flat)(flat)
    min_time = 0.05 if quick else 0.2
    best = {}
    for _ in range(repeats):
        for key, fn, x in (("flat", optkit.value_and_grad(f_flat), flat),
                           ("dict", optkit.value_and_grad(f_dict), params),
                           ("flat cmp", optkit.value_and_grad(fc_flat), flat),
                           ("dict cmp", optkit.value_and_grad(fc_dict), params)):
            t = timeit(fn, x, min_time=min_time, repeat=3, clock=time.thread_time)
            best[key] = min(best.get(key, t), t)
    print()
    print(f"mlp 32-64-1 b=256, value+gradient, parameters as a dict of four arrays vs one flat "
          f"vector (thread CPU time, best of {repeats} interleaved runs):")
    for mode, a, b in (("eager", "dict", "flat"), ("compiled", "dict cmp", "flat cmp")):
        print(f"  {mode:9s} dict {best[a] * 1e6:8.1f}us  flat {best[b] * 1e6:8.1f}us  "
              f"dict/flat {best[a] / best[b]:5.3f}")


# jax.jit's ratios (v+g, hvp) from the one-off run in the module docstring (process CPU time)
JAX = {"rosenbrock n=10": (1.79, 1.34), "rosenbrock n=1000": (1.72, 1.21),
       "rosenbrock n=100000": (1.52, 0.50), "rosenbrock n=1e+06": (0.84, 0.25),
       "logistic 2000x500": (1.80, 2.55), "logistic 20000x200": (2.31, 2.91),
       "mlp 32-64-1 b=256": (1.71, 2.17), "scalar loop (50 it)": (0.54, 0.45)}


def numpy_calls(source):
    """``(ops, views, passes)`` per run of a generated program: ``ops`` counts the numpy
    operations its source executes (calls, operators, in-place adds), ``views`` its
    subscripts (slices, elements); a blocked loop's body counts its number of blocks times
    (the last block's buffer cuts once), and ``passes`` is the number of ufunc calls per
    block of its blocked loops (in-cache passes over the data), 0 without a loop."""
    body = ast.parse(source).body[0].body
    passes = 0

    def tally(node):
        if isinstance(node, ast.Subscript):  # a view or an element: its bounds are ints
            ops, views = tally(node.value)
            return ops, views + 1
        ops = views = 0
        for child in ast.iter_child_nodes(node):
            o, w = tally(child)
            ops, views = ops + o, views + w
        return ops + isinstance(node, (ast.Call, ast.BinOp, ast.UnaryOp, ast.AugAssign)), views

    def is_pass(stmt):  # ufunc(..., out=block) or a scatter's add(view, g, out=view)
        call = stmt.value if isinstance(stmt, (ast.Assign, ast.Expr)) else None
        return isinstance(call, ast.Call) and any(k.arg == "out" for k in call.keywords)

    def count(stmts):
        nonlocal passes
        ops = views = 0
        for stmt in stmts:
            if isinstance(stmt, ast.For):  # for lo in range(0, n, rows)
                trips = len(range(*(a.value for a in stmt.iter.args)))
                inner = [s for s in stmt.body if not isinstance(s, ast.If)]
                passes += sum(map(is_pass, inner))
                o, w = count(inner)
                ops, views = ops + trips * o, views + trips * w
                for cut in (s for s in stmt.body if isinstance(s, ast.If)):
                    o, w = count(cut.body)
                    ops, views = ops + o, views + w
            elif (isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name)
                  and stmt.targets[0].id == "hi"):  # the block's bound: Python ints
                continue
            elif not isinstance(stmt, ast.Return):
                o, w = tally(stmt)
                ops, views = ops + o, views + w
        return ops, views

    ops, views = count(body)
    return ops, views, passes


def _best_per_call(statement, env, repeat=7, inner=200):
    """Best time of one ``statement`` (thread CPU), from a function repeating it ``inner``
    times: the per-line cost inside a generated program, loop overhead excluded."""
    code = f"def _run({', '.join(env)}):\n" + f"    {statement}\n" * inner
    namespace = {}
    exec(code, {"np": np}, namespace)
    run, args = namespace["_run"], list(env.values())
    best = float("inf")
    for _ in range(repeat):
        t0 = time.thread_time()
        run(*args)
        best = min(best, (time.thread_time() - t0) / inner)
    return best


def dispatch_costs():
    """Per-call costs of numpy measured now, ``{operands: (op, view)}``: ``op`` is the
    cheapest of a product, a product by a constant, a square with ``out=``, a sum and an
    in-place add on 10-element float64 arrays ('array') or on float64 scalars ('scalar'),
    ``view`` a slice (an element of an array for scalars). The cheapest, so that calls x
    cost is a lower bound of what a program of those calls pays before touching data."""
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal(10), rng.standard_normal(10)
    env = {"a": a, "b": b, "c": np.array(2.0), "o": np.empty(10), "sq": np.square,
           "red": np.add.reduce, "sin": np.sin}
    array = (min(_best_per_call(line, env) for line in
                 ("a * b", "c * a", "sq(a, out=o)", "red(a, None)", "o += a")),
             _best_per_call("a[1:]", env))
    env.update(a=a[0], b=b[0], c=2.0)
    scalar = (min(_best_per_call(line, env) for line in ("a * b", "c * a", "sin(a)", "a + b")),
              _best_per_call("o[3]", env))
    return {"array": array, "scalar": scalar}


def block_pass_cost(n):
    """The cheapest in-cache pass over n elements as the blocked replay makes them: the
    fastest of an in-place product by a 0-d constant, a square and a sum of two blocks
    with ``out=``, on blocks of ``BLOCK_SIZE`` elements held in cache (n / BLOCK_SIZE of
    them), the cost of a call included."""
    rng = np.random.default_rng(6)
    env = {"r": rng.standard_normal(BLOCK_SIZE), "s": rng.standard_normal(BLOCK_SIZE),
           "c": np.array(2.0), "mul": np.multiply, "sq": np.square, "add": np.add}
    per_block = min(_best_per_call(line, env, repeat=9, inner=20)
                    for line in ("mul(r, c, out=r)", "sq(s, out=r)", "add(r, s, out=r)"))
    return per_block * n / BLOCK_SIZE


def blas_time(program, replay, args, repeat=5):
    """Thread CPU time a call of ``program`` spends in the matmul calls of ``replay``, the
    generated code it runs (its names bound to np.matmul are swapped for a timing wrapper
    for the measurement)."""
    namespace = replay.fn.__globals__
    names = [k for k, v in namespace.items() if v is np.matmul or v is np.dot]
    spent = [0.0]

    def timed(fn):
        def wrapper(*a, **k):
            t0 = time.thread_time()
            try:
                return fn(*a, **k)
            finally:
                spent[0] += time.thread_time() - t0
        return wrapper

    saved = {k: namespace[k] for k in names}
    best = float("inf")
    try:
        for k in names:
            namespace[k] = timed(saved[k])
        for _ in range(repeat):
            spent[0] = 0.0
            program(*args)
            best = min(best, spent[0])
    finally:
        namespace.update(saved)
    return best if names else 0.0


def _replay_of(program):
    """The replay a call runs: a split HVP's part on v (its part on x runs once per point)."""
    return getattr(program, "apply", program)  # a linearize.Linearized, or a Replay


def floors(cases, ratios, costs):
    """Issue 17 goal 2's physical reasons, printed: for each case, numpy calls per call of f
    (its recording) and per run of the compiled v+g and HVP programs, the time of the
    programs' matmul calls alone / f time, and a lower bound of the replay / f time: BLAS
    time + each other call at its cheapest measured cost (``dispatch_costs``) + each
    in-cache pass of a blocked loop at its measured cost; next to jax.jit's ratios."""
    print()
    print("why the rest: numpy calls per call (f: its recording; v+g and HVP: the compiled "
          "program per run, the HVP's part on v) and lower bounds / f time")
    print("  d = cheapest numpy call measured now: " + ", ".join(
        f"{k} {op * 1e9:.0f} ns (view {view * 1e9:.0f} ns)" for k, (op, view) in costs.items()))
    head = (f"{'case':22s} {'f calls':>7s} {'v+g':>5s} {'hvp':>5s} {'pass':>5s} "
            f"{'blas f':>6s} {'blas v+g':>8s} {'blas hvp':>8s} {'floor v+g':>9s} "
            f"{'floor hvp':>9s} {'ours v+g':>8s} {'ours hvp':>8s} {'jax v+g':>7s} "
            f"{'jax hvp':>7s}  verdict v+g / hvp")
    print(head)
    print("-" * len(head))
    for name, (f, x, v, tf) in cases.items():
        fc = optkit.compile(f)
        optkit.value_and_grad(fc)(x)
        optkit.hvp(fc, x, v)
        recording = stage(f, (x,))[0]
        scalar = sum(e.out.shape == () for e in recording.eqns) > len(recording.eqns) / 2
        op, view = costs["scalar" if scalar else "array"]
        row = {}
        for kind, args in (("value_and_grad", (x,)), ("hvp", (x, v))):
            program = fc.program(*args, kind=kind)
            replay = _replay_of(program)
            ops, views, passes = numpy_calls(replay.source)
            blas = blas_time(program, replay, args)
            # a pass's call is counted in ops already: its work alone on top
            work = max(block_pass_cost(x.size) - op * x.size / BLOCK_SIZE, 0.0) if passes else 0
            row[kind] = (ops + views, passes, blas / tf,
                         (blas + ops * op + views * view + passes * work) / tf)
        (cv, pv, bv, lv), (ch, ph, bh, lh) = row["value_and_grad"], row["hvp"]
        value = codegen(recording, "f", blocked=False)  # f's own calls, replayed
        blas_f = blas_time(value, value, (x,)) / tf
        ours = ratios.get(name, (float("nan"), float("nan")))
        jax = JAX.get(name, (float("nan"), float("nan")))
        verdicts = [_verdict(o, lo, j) for o, lo, j in zip(ours, (lv, lh), jax, strict=True)]
        print(f"{name:22s} {len(recording.eqns):7d} {cv:5d} {ch:5d} {f'{pv}/{ph}':>5s} "
              f"{blas_f:6.2f} {bv:8.2f} {bh:8.2f} {lv:9.2f} {lh:9.2f} {ours[0]:8.2f} "
              f"{ours[1]:8.2f} {jax[0]:7.2f} {jax[1]:7.2f}  {' / '.join(verdicts)}")
    print("  calls: numpy operations per run (a blocked loop's body times its blocks); pass: "
          "ufunc calls per block in the blocked loops (v+g/hvp), each an in-cache pass over "
          "the vector where XLA's fused loop makes one in all; blas: the matmul calls' time / "
          "f; floor = (BLAS + calls x d + passes x cheapest in-cache pass) / f, a lower bound "
          "for a replay making these calls; verdict: met (ours <= jax), out of reach "
          "(floor > jax), open (neither)")


def _mlp_hand(f):
    """Hand-written numpy value+gradient and HVP of ``make_mlp``'s f, the best I could write
    (issue 17, goal 2): ``{name: (fn, exact)}``, ``exact`` when its roundings are the
    derivative's own up to summation order (what the compiled replay may do), not when
    products are reassociated. All: work buffers written with ``out=``; ``X W1 + b1`` as one
    product ``[X | 1] [W1; b1]`` (the two are adjacent in p), the gradient of ``[W1; b1]``
    as one product ``[X | 1]^T D`` straight into g; outer products as products of depth 2
    (``[g | 0] [w; 0]``: numpy's broadcast multiply is 2.5x slower); ``1 - h*h`` in place.
    The HVP's part on x (the forward pass and the cotangents) is computed once, like the
    compiled split program's; the timed call is the part on v."""
    X, t = f.data
    batch, d_in = X.shape
    hidden = 64
    k = (d_in + 1) * hidden  # [W1; b1], then w2, then b2
    xa = np.hstack([X, np.ones((batch, 1))])
    xat = np.ascontiguousarray(xa.T)
    h, d = np.empty((batch, hidden)), np.empty((batch, hidden))
    col, row = np.zeros((batch, 2)), np.zeros((2, hidden))
    r, g, gp = col[:, 0], np.empty(k + hidden + 1), np.empty((d_in + 1, hidden))
    scale = 2.0 / batch

    def forward(p, h):
        np.matmul(xa, p[:k].reshape(d_in + 1, hidden), out=h)
        np.tanh(h, out=h)
        np.matmul(h, p[k:k + hidden], out=r)
        np.subtract(r, t, out=r)
        np.add(r, p[-1], out=r)

    def value_and_grad(p):
        forward(p, h)
        value = np.dot(r, r) / batch
        np.multiply(r, scale, out=r)  # the cotangent of the outputs
        g[-1] = r.sum()
        np.matmul(r, h, out=g[k:k + hidden])
        row[0] = p[k:k + hidden]
        np.matmul(col, row, out=d)  # r w2^T
        np.multiply(h, h, out=h)
        np.subtract(1.0, h, out=h)
        np.multiply(d, h, out=d)
        np.matmul(xat, d, out=g[:k].reshape(d_in + 1, hidden))
        return value, g

    def value_and_grad_reassociated(p):  # D = diag(r) S diag(w2): no outer product
        forward(p, h)
        value = np.dot(r, r) / batch
        np.multiply(r, scale, out=r)
        g[-1] = r.sum()
        np.matmul(r, h, out=g[k:k + hidden])
        np.multiply(h, h, out=h)
        np.subtract(1.0, h, out=h)
        np.matmul(xat * r, h, out=gp)
        np.multiply(gp, p[k:k + hidden], out=g[:k].reshape(d_in + 1, hidden))
        return value, g

    hx, s, gx, two_gh = (np.empty((batch, hidden)) for _ in range(4))
    da, dd = np.empty((batch, hidden)), np.empty((batch, hidden))
    pair, rows = np.empty((batch, 2)), np.empty((2, hidden))
    dr, tmp, hv = pair[:, 0], np.empty(batch), np.empty(k + hidden + 1)
    at = {}

    def at_x(p):  # the part on x, once per point
        forward(p, hx)
        pair[:, 1] = scale * r
        np.multiply(hx, hx, out=s)
        np.subtract(1.0, s, out=s)
        np.multiply(pair[:, 1:], p[k:k + hidden], out=gx)  # G = r w2^T
        np.multiply(gx, hx, out=two_gh)
        np.multiply(two_gh, -2.0, out=two_gh)
        rows[0] = p[k:k + hidden]
        at["x"] = p

    def hvp(p, v, exact=True):
        if at.get("x") is not p:
            at_x(p)
        np.matmul(xa, v[:k].reshape(d_in + 1, hidden), out=da)
        np.multiply(da, s, out=da)  # dH
        np.matmul(da, p[k:k + hidden], out=dr)
        np.matmul(hx, v[k:k + hidden], out=tmp)
        np.add(dr, tmp, out=dr)
        np.add(dr, v[-1], out=dr)
        np.multiply(dr, scale, out=dr)  # d of the outputs' cotangent
        hv[-1] = dr.sum()
        np.matmul(pair[:, 1], da, out=tmp[:hidden])
        np.matmul(dr, hx, out=hv[k:k + hidden])
        np.add(hv[k:k + hidden], tmp[:hidden], out=hv[k:k + hidden])
        rows[1] = v[k:k + hidden]
        np.matmul(pair, rows, out=dd)  # dr w2^T + r u2^T
        np.multiply(dd, s, out=dd)
        if exact:  # - G (dH h + dH h), the derivative's own order
            np.multiply(da, hx, out=da)
            np.add(da, da, out=da)
            np.multiply(gx, da, out=da)
            np.subtract(dd, da, out=dd)
        else:  # (-2 G h) dH, the product precomputed at x
            np.multiply(two_gh, da, out=da)
            np.add(dd, da, out=dd)
        np.matmul(xat, dd, out=hv[:k].reshape(d_in + 1, hidden))
        return hv

    return {"v+g": (value_and_grad, True),
            "v+g, products reassociated": (value_and_grad_reassociated, False),
            "hvp (part on v)": (hvp, True),
            "hvp (part on v), products reassociated":
                (lambda p, v: hvp(p, v, exact=False), False)}


def mlp_hand_written(quick=False, repeats=5):
    """Issue 17 goal 2's floor on the MLP: hand-written numpy derivatives (``_mlp_hand``)
    against numpy f and the compiled ones, thread CPU time, best of ``repeats``
    interleaved rounds. Each is checked against optkit's eager derivative first."""
    f, _, _, n = make_mlp()
    rng = np.random.default_rng(8)
    x, v = rng.standard_normal(n) * 0.1, rng.standard_normal(n)
    value, g = optkit.value_and_grad(f)(x)
    hv = optkit.hvp(f, x, v)
    fc = optkit.compile(f)
    calls = {"f": (f, (x,)), "compiled v+g": (optkit.value_and_grad(fc), (x,)),
             "compiled hvp": (optkit.hvp, (fc, x, v))}
    exact = {}
    for name, (fn, is_exact) in _mlp_hand(f).items():
        args = (x, v) if name.startswith("hvp") else (x,)
        got = fn(*args)
        if name.startswith("hvp"):
            _check("mlp hand " + name, got, hv, 1e-10)
        else:
            assert np.isclose(got[0], value, rtol=1e-13)
            _check("mlp hand " + name, got[1], g, 1e-10)
        calls["hand " + name] = (fn, args)
        exact["hand " + name] = is_exact
    best = {}
    repeats = 2 if quick else repeats
    for _ in range(repeats):
        for key, (fn, args) in calls.items():
            t = timeit(fn, *args, min_time=0.05 if quick else 0.1, repeat=3)
            best[key] = min(best.get(key, t), t)
    jax = JAX["mlp 32-64-1 b=256"]
    print()
    print(f"mlp 32-64-1 b=256: hand-written numpy derivatives (the floor of a numpy-level "
          f"replay) / numpy f, thread CPU time, best of {repeats} interleaved; jax.jit v+g "
          f"{jax[0]:.2f}, hvp {jax[1]:.2f}")
    for key in calls:
        if key == "f":
            continue
        note = ("" if key.startswith("compiled") else "  exact up to summation order"
                if exact[key] else "  not the derivative's roundings: not a replay's")
        print(f"  {key:44s} {best[key] * 1e6:7.1f}us  {best[key] / best['f']:5.2f}x{note}")


def _verdict(ours, floor, jax):
    if not np.isfinite(ours) or not np.isfinite(jax):
        return "-"
    if ours <= jax:
        return "met"
    return "out of reach" if floor > jax else "open"


def scalar_loop(x):
    s = 0.0
    for i in range(50):
        s = s * 0.9 + np.sin(x[i % 10] * x[(7 * i + 3) % 10])
    return s


def timeit(fn, *args, min_time=0.2, repeat=5, clock=time.thread_time):
    """Best time per call of ``fn(*args)`` over ``repeat`` runs; ``clock=time.thread_time``
    counts this thread's CPU time only, which other processes on a busy machine do not
    inflate (BLAS is single-threaded here, so it is the whole cost)."""
    fn(*args)
    n = 1
    while True:
        t0 = clock()
        for _ in range(n):
            fn(*args)
        dt = clock() - t0
        if dt > min_time / repeat:
            break
        n *= 2
    best = dt / n
    for _ in range(repeat - 1):
        t0 = clock()
        for _ in range(n):
            fn(*args)
        best = min(best, (clock() - t0) / n)
    return best


def fd_grad(f, x, h=1e-6):
    e = np.zeros_like(x)
    g = np.zeros_like(x)
    for i in range(x.size):
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
        e[i] = 0
    return g


def _check(name, got, ref, tol):
    scale = max(1.0, float(np.abs(ref).max()))
    assert np.allclose(got, ref, rtol=tol, atol=tol * scale), f"{name}: wrong derivative"


def case(name, f, x, g_ref=None, hvp_ref=None, do_hvp=True, quick=False):
    """Time f, eager and compiled value+grad and HVP (thread CPU, five interleaved rounds,
    best of each: the small cases sit within a few percent of jax's ratios, where three
    rounds on a shared machine left one in four runs a few percent high); every
    derivative is checked first."""
    rng = np.random.default_rng(1)
    v = rng.standard_normal(x.shape)
    ref = g_ref(x) if g_ref is not None else fd_grad(f, x)
    tol = 1e-8 if g_ref is not None else 1e-5
    val, g = optkit.value_and_grad(f)(x)
    _check(name, g, ref, tol)
    assert np.isclose(val, f(x))
    t0 = time.perf_counter()
    fc = optkit.compile(f, blocked=False)
    cval, cg = optkit.value_and_grad(fc)(x)  # first call: traces and builds
    build_vg = time.perf_counter() - t0
    _check(name + " (compiled)", cg, ref, tol)
    assert np.isclose(cval, val)
    fb = optkit.compile(f)  # blocked="auto": elementwise chains run over cache-sized blocks
    _check(name + " (blocked)", optkit.value_and_grad(fb)(x)[1], ref, tol)
    row = {"case": name, "build_vg": build_vg, "args": (f, x, v)}
    calls = {"f": (f, (x,)), "vg": (optkit.value_and_grad(f), (x,)),
             "cvg": (optkit.value_and_grad(fc), (x,)),
             "bvg": (optkit.value_and_grad(fb), (x,))}
    if do_hvp:
        hv = optkit.hvp(f, x, v)
        if hvp_ref is not None:
            href = hvp_ref(x, v)
        else:
            href = (optkit.grad(f)(x + 1e-6 * v) - optkit.grad(f)(x - 1e-6 * v)) / 2e-6
        _check(name + " hvp", hv, href, 1e-5)
        t0 = time.perf_counter()
        _check(name + " hvp (compiled)", optkit.hvp(fc, x, v), href, 1e-5)
        row["build_hvp"] = time.perf_counter() - t0
        _check(name + " hvp (blocked)", optkit.hvp(fb, x, v), href, 1e-5)
        calls.update(hvp=(optkit.hvp, (f, x, v)), chvp=(optkit.hvp, (fc, x, v)),
                     bhvp=(optkit.hvp, (fb, x, v)))
    best = {}
    for _ in range(1 if quick else 5):  # interleaved rounds, best of each
        for key, (fn, args) in calls.items():
            t = timeit(fn, *args, min_time=0.05 if quick else 0.1, repeat=3)
            best[key] = min(best.get(key, t), t)
    row["f"] = best.pop("f")
    row.update({key: t / row["f"] for key, t in best.items()})
    return row


def memory_wall(quick=False, repeats=5):
    """Issue 17, goal 2: compiled value+gradient (and HVP) / numpy f on the Rosenbrock case,
    unblocked replay against the blocked one, in thread CPU time, interleaved best of
    ``repeats``. Target: blocked v+g <= 1.5x at n = 1e6."""
    rng = np.random.default_rng(3)
    print()
    print(f"memory wall: compiled / numpy f, thread CPU time, best of {repeats} interleaved")
    for n in ([100_000] if quick else [100_000, 1_000_000]):
        x, v = rng.uniform(-1, 1, n), rng.standard_normal(n)
        plain, blocked = (optkit.compile(rosenbrock, blocked=b) for b in (False, "auto"))
        calls = {"f": (rosenbrock, (x,)),
                 "v+g": (optkit.value_and_grad(plain), (x,)),
                 "v+g blk": (optkit.value_and_grad(blocked), (x,)),
                 "hvp": (optkit.hvp, (plain, x, v)),
                 "hvp blk": (optkit.hvp, (blocked, x, v))}
        best = {}
        for _ in range(repeats):
            for key, (fn, args) in calls.items():
                t = timeit(fn, *args, min_time=0.05 if quick else 0.2, repeat=3,
                           clock=time.thread_time)
                best[key] = min(best.get(key, t), t)
        print(f"  rosenbrock n={n:<8g} f {best['f'] * 1e3:7.2f}ms  " + "  ".join(
            f"{k} {best[k] / best['f']:5.2f}x" for k in ("v+g", "v+g blk", "hvp", "hvp blk")))


def eager_targets(quick=False, runs=5):
    """Issue 17, goal 3: eager (uncompiled) v+g and HVP / numpy f, per run, in thread CPU time.

    The targets hold "in every run", so each run's ratio is printed and the worst is judged:
    v+g at n = 1e6 <= 3x, HVP at n = 1e6 <= 8x, HVP on logistic 2000x500 <= 5x. Each run
    times f and the derivative back to back (best of 3 timing loops each); the cases are
    interleaved across runs."""
    rng = np.random.default_rng(4)
    n = 100_000 if quick else 1_000_000
    x, v = rng.uniform(-1, 1, n), rng.standard_normal(n)
    f_log, _, _, d = make_logistic(2000, 500)
    w, u = rng.standard_normal(d) * 0.1, rng.standard_normal(d)
    cases = {f"v+g n={n:g}": (rosenbrock, (x,), optkit.value_and_grad(rosenbrock), (x,), 3.0),
             f"hvp n={n:g}": (rosenbrock, (x,), optkit.hvp, (rosenbrock, x, v), 8.0),
             "hvp logistic 2000x500": (f_log, (w,), optkit.hvp, (f_log, w, u), 5.0)}
    ratios = {name: [] for name in cases}
    for _ in range(2 if quick else runs):
        for name, (f, f_args, deriv, d_args, _) in cases.items():
            tf = timeit(f, *f_args, min_time=0.05 if quick else 0.1, repeat=3,
                        clock=time.thread_time)
            td = timeit(deriv, *d_args, min_time=0.05 if quick else 0.1, repeat=3,
                        clock=time.thread_time)
            ratios[name].append(td / tf)
    print()
    print("eager derivative / numpy f, thread CPU time, every run (issue 17 goal 3: every run "
          "within target)")
    for name, (*_, target) in cases.items():
        worst = max(ratios[name])
        print(f"  eager {name:22s} " + " ".join(f"{r:5.2f}x" for r in ratios[name])
              + f"   worst {worst:5.2f}x  target <= {target:g}x "
              + ("met" if worst <= target else "missed"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="short timings, small cases only")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    rows = []
    sizes = [10, 1000] if args.quick else [10, 1000, 100_000, 1_000_000]
    for n in sizes:
        x = rng.uniform(-1, 1, n)
        rows.append(case(f"rosenbrock n={n:g}", rosenbrock, x, rosenbrock_grad, rosenbrock_hvp,
                         quick=args.quick))
    for m, n in ([(2000, 500)] if args.quick else [(2000, 500), (20000, 200)]):
        f, g, hvp, n = make_logistic(m, n)
        rows.append(case(f"logistic {m}x{n}", f, rng.standard_normal(n) * 0.1, g, hvp,
                         quick=args.quick))
    f, _, _, n = make_mlp()
    rows.append(case("mlp 32-64-1 b=256", f, rng.standard_normal(n) * 0.1,
                     quick=args.quick))
    rows.append(case("scalar loop (50 it)", scalar_loop, rng.uniform(-1, 1, 10),
                     quick=args.quick))
    print("value+gradient and HVP time / plain numpy f time (1 BLAS thread); "
          "cmp = optkit.compile(blocked=False); blk = optkit.compile() (blocked replay, "
          "thread CPU time); build = first compiled call")
    head = (f"{'case':22s} {'f time':>10s} {'v+g':>7s} {'v+g cmp':>8s} {'v+g blk':>8s} "
            f"{'hvp':>7s} {'hvp cmp':>8s} {'hvp blk':>8s} {'build v+g':>10s} "
            f"{'build hvp':>10s}")
    print(head)
    print("-" * len(head))

    def fmt(r, key, width, scale=1.0, unit=""):
        if key not in r:
            return f"{'-':>{width}s}"
        return f"{r[key] * scale:{width - len(unit)}.2f}{unit}"

    for r in rows:
        print(f"{r['case']:22s} {r['f'] * 1e6:8.1f}us {fmt(r, 'vg', 7)} {fmt(r, 'cvg', 8)} "
              f"{fmt(r, 'bvg', 8)} {fmt(r, 'hvp', 7)} {fmt(r, 'chvp', 8)} {fmt(r, 'bhvp', 8)} "
              f"{fmt(r, 'build_vg', 10, 1e3, 'ms')} {fmt(r, 'build_hvp', 10, 1e3, 'ms')}")
    floors({r["case"]: (*r["args"], r["f"]) for r in rows},
           {r["case"]: (r["bvg"], r.get("bhvp", float("nan"))) for r in rows}, dispatch_costs())
    mlp_hand_written(quick=args.quick)
    structured_vs_flat(quick=args.quick)
    memory_wall(quick=args.quick)
    eager_targets(quick=args.quick)
    if not args.quick:
        time_to_solution()


def time_to_solution():
    """minimize(compile=True) against compile=False on the small problems of the library."""
    import warnings

    from optkit import problems

    print()
    print("time to solution, L-BFGS, eager vs compiled (same iterates):")
    ratios = []
    for name in problems.names():
        p = problems.get(name)
        if p.n > 100:
            continue
        times = {}
        for compiled in (False, True):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t0 = time.perf_counter()
                res = optkit.minimize(p.objective, p.x0, "lbfgs", compile=compiled)
                times[compiled] = (time.perf_counter() - t0, res.nfev)
        ratios.append(times[False][0] / times[True][0])
        print(f"  {name:28s} n={p.n:<4d} nfev={times[True][1]:<5d} eager "
              f"{times[False][0] * 1e3:8.1f}ms  compiled {times[True][0] * 1e3:8.1f}ms  "
              f"speed-up {ratios[-1]:5.2f}x")
    print(f"  median speed-up of compile=True: {np.median(ratios):.2f}x "
          f"over {len(ratios)} problems")


if __name__ == "__main__":
    main()
