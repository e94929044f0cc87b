"""The bounded branches of optkit's solvers, one concept per module.

L-BFGS-B, the bounded branch of `optkit.optim.solvers.lbfgs.LBFGS` (Byrd, Lu, Nocedal & Zhu
1995; Morales & Nocedal 2011):

compact     the compact limited-memory matrix B = theta I - W M W'
cauchy      the generalized Cauchy point along the projected-gradient path
subspace    subspace minimization over the free variables, and the step back into the box
direction   the three above as one search direction
line        phi(alpha) = f(P(x + alpha d)), a line that stays in the box
lbfgsb      one iteration: direction, line search in the box, memory update

TRON (newton-cg with bounds) and SPG (gd with bounds) live beside them: tron*, spg,
projected_search (see each module's docstring).
"""
