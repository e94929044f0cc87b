"""optkit.tree overhead: flatten, ravel and unravel of an MLP's parameters against hand-written
numpy (concatenate / slice-and-reshape of the same four arrays), in one process.

Run: python bench/tree.py [--quick]. BLAS is pinned to one thread before numpy loads. Times are
the best of several repeats, in microseconds per call; the ratio to the hand-written baseline is
what counts on a busy machine. Each optkit result is checked against the baseline before timing.
"""

import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import timeit  # noqa: E402

import numpy as np  # noqa: E402

from optkit import tree  # noqa: E402


def mlp_params(n_in, n_hidden, n_out, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.standard_normal((n_hidden, n_in)),
        "b1": rng.standard_normal(n_hidden),
        "W2": rng.standard_normal((n_out, n_hidden)),
        "b2": rng.standard_normal(n_out),
    }


def hand_ravel(p):
    return np.concatenate([p["W1"].ravel(), p["W2"].ravel(), p["b1"].ravel(), p["b2"].ravel()])


def make_hand_unravel(p):
    # sorted-key order, as tree.ravel lays it out: W1, W2, b1, b2
    s1, s2, s3 = p["W1"].shape, p["W2"].shape, p["b1"].shape
    s4 = p["b2"].shape
    a = p["W1"].size
    b = a + p["W2"].size
    c = b + p["b1"].size
    d = c + p["b2"].size

    def hand_unravel(flat):
        return {"W1": flat[:a].reshape(s1), "b1": flat[b:c].reshape(s3),
                "W2": flat[a:b].reshape(s2), "b2": flat[c:d].reshape(s4)}

    return hand_unravel


def best_us(fn, arg, number, repeat):
    return min(timeit.repeat(lambda: fn(arg), number=number, repeat=repeat)) / number * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    number, repeat = (2000, 3) if args.quick else (20000, 7)

    print(f"{'case':<28}{'op':<10}{'optkit us':>11}{'numpy us':>11}{'ratio':>8}")
    for shape in [(16, 32, 1), (784, 256, 10)]:
        p = mlp_params(*shape)
        flat, unravel = tree.ravel(p)
        hand_unravel = make_hand_unravel(p)
        assert np.array_equal(flat, hand_ravel(p))
        for key, v in unravel(flat).items():
            assert np.array_equal(v, p[key]) and np.shares_memory(v, flat), key
        w = hand_unravel(flat)
        case = f"MLP {shape[0]}-{shape[1]}-{shape[2]} (n={flat.size})"
        rows = [
            ("flatten", tree.flatten, lambda q: [q[k] for k in sorted(q)], p),
            ("ravel", tree.ravel, hand_ravel, p),
            ("unravel", unravel, hand_unravel, flat),
            ("map", lambda q: tree.map(np.negative, q),
             lambda q: {k: np.negative(v) for k, v in q.items()}, w),
        ]
        for op, ours, theirs, arg in rows:
            t_ours = best_us(ours, arg, number, repeat)
            t_base = best_us(theirs, arg, number, repeat)
            print(f"{case:<28}{op:<10}{t_ours:>11.2f}{t_base:>11.2f}{t_ours / t_base:>8.2f}")


if __name__ == "__main__":
    main()
