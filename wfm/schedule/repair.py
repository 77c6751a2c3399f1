"""Greedy repair of an integer plan: cover what a time-limited solve left short.

When CP-SAT runs out of time on a large week the plan it returns can leave many
inbound intervals short and campaign work undone. Each short agent-interval costs
far more than the share of a shift that would cover it, so a few cheap, deterministic
moves turn such a plan into a near-bound one in milliseconds:

1. idle agents (on shift, off break, neither on inbound nor outbound) take short
   inbound intervals of the pools their group serves;
2. agents on outbound at a short inbound interval switch to inbound when a short
   agent-interval costs more than the outbound work it displaces;
3. idle agents take undone campaign work inside its calling window and daily cap;
4. while it pays, one more agent is added on the tour (days-off pattern and start
   band), starts and break offsets worth the most short and undone work per cost,
   respecting the group's headcount cap, and steps 1 and 3 hand it the work.

The moves act on the model's own variables (tours, starts, breaks, inbound,
outbound, shortfall, undone), so every hard rule the model encodes still holds; the
result is checked against every row of the model and discarded if any fails.
"""

from __future__ import annotations

import numpy as np

from wfm.schedule.model import Layout, LinearModel, settle_goal_steps


def _rows_hold(model: LinearModel, values: np.ndarray) -> bool:
    from wfm.schedule.solve import model_matrix

    matrix, lower, upper = model_matrix(model)
    got = matrix @ values.astype(float)
    bounds_ok = (values >= np.asarray(model.lower)).all() and (values <= np.asarray(model.upper)).all()
    return bool(bounds_ok and (got >= lower - 1e-6).all() and (got <= upper + 1e-6).all())


def repair_plan(problem, model: LinearModel, layout: Layout, avail, values: np.ndarray,
                max_agents: int = 5000) -> np.ndarray:
    """A plan no more costly than ``values`` with short and undone work covered greedily.

    ``avail`` is the (group x slot, variable) matrix of agents on shift and off break
    from :func:`wfm.schedule.model.build_model`.

    Parameters
    ----------
    problem : Problem
        The problem.
    model : LinearModel
        The model (every row is checked).
    layout : Layout
        Where each kind of variable lies.
    avail : sparse matrix
        Agents on shift and off break per group and slot.
    values : ndarray
        The solver's plan.
    max_agents : int
        Greedy steps at most per phase (a bound on the repair loops).

    Returns
    -------
    ndarray
        The repaired plan's variable values.
    """
    values = np.asarray(values, dtype=np.int64).copy()
    original = values.copy()
    cost = np.asarray(model.cost, dtype=float)
    T = problem.slots
    G = len(problem.scenario.groups)
    seconds = problem.interval * 60
    avail = avail.tocsc()

    # Inbound: (group, pool, slot) -> var; shortfall (pool, slot) -> var.
    in_var = {tuple(k): int(v) for k, v in zip(layout.inbound_keys.tolist(), layout.inbound_vars.tolist(), strict=False)}
    short_var = np.full((len(problem.pools), T), -1, dtype=np.int64)
    for (p, t), v in zip(layout.short_keys.tolist(), layout.short_vars.tolist(), strict=False):
        short_var[p, t] = v
    pools_of = {g: sorted({k[1] for k in in_var if k[0] == g}) for g in range(G)}
    short_pen = float(cost[layout.short_vars].max()) if len(layout.short_vars) else 0.0

    # Outbound: (group, campaign, slot) -> var; daily caps as remaining seconds per row.
    C = len(layout.undone_vars)
    out_var = np.full((G, max(C, 1), T), -1, dtype=np.int64)
    for (g, c, t), v in zip(layout.outbound_keys.tolist(), layout.outbound_vars.tolist(), strict=False):
        out_var[g, c, t] = v
    undone_pen = cost[layout.undone_vars] * seconds if C else np.zeros(0)
    cap_of_var: dict[int, int] = {}
    caps_left: list[float] = []
    for (index, coef, _lo, hi), kind in zip(model.rows, model.row_kind, strict=False):
        if kind.startswith("daily_cap:"):
            for v in index.tolist():
                cap_of_var[v] = len(caps_left)
            caps_left.append(float(hi - coef.astype(float) @ values[index]))
    cap_left = np.array(caps_left + [np.inf])  # the last entry stands for "no cap"
    cap_index = np.full(out_var.shape, len(caps_left), dtype=np.int64)
    for (g, c, t), v in zip(layout.outbound_keys.tolist(), layout.outbound_vars.tolist(), strict=False):
        cap_index[g, c, t] = cap_of_var.get(v, len(caps_left))

    on = (avail @ values).reshape(G, T)
    used = np.zeros((G, T), dtype=np.int64)
    for (g, _, t), v in zip(layout.inbound_keys.tolist(), layout.inbound_vars.tolist(), strict=False):
        used[g, t] += values[v]
    for (g, _, t), v in zip(layout.outbound_keys.tolist(), layout.outbound_vars.tolist(), strict=False):
        used[g, t] += values[v]
    idle = on - used

    def short_at(p, t):
        v = short_var[p, t]
        return 0 if v < 0 else int(values[v])

    def to_inbound(g, t, n):
        """Up to ``n`` agents of ``g`` at ``t`` onto short pools; returns how many moved."""
        moved = 0
        for p in pools_of[g]:
            if moved >= n:
                break
            take = min(n - moved, short_at(p, t))
            if take > 0:
                values[in_var[(g, p, t)]] += take
                values[short_var[p, t]] -= take
                moved += take
        return moved

    def outbound_room(g, c, t):
        v = out_var[g, c, t]
        if v < 0 or values[layout.undone_vars[c]] <= 0:
            return False
        cap = cap_of_var.get(int(v))
        return cap is None or cap_left[cap] >= seconds

    def to_outbound(g, t, n):
        moved = 0
        for c in sorted(range(C), key=lambda c: -undone_pen[c]):
            while moved < n and outbound_room(g, c, t):
                v = int(out_var[g, c, t])
                values[v] += 1
                u = layout.undone_vars[c]
                values[u] = max(0, values[u] - seconds)
                cap = cap_of_var.get(v)
                if cap is not None:
                    cap_left[cap] -= seconds
                moved += 1
        return moved

    def fill(slots_by_group):
        for g, ts in slots_by_group:
            for t in ts:
                if idle[g, t] > 0:
                    idle[g, t] -= to_inbound(g, t, int(idle[g, t]))
        for g, ts in slots_by_group:
            for t in ts:
                if idle[g, t] > 0:
                    idle[g, t] -= to_outbound(g, t, int(idle[g, t]))

    everywhere = [(g, range(T)) for g in range(G)]
    fill([(g, np.flatnonzero(idle[g] > 0).tolist()) for g in range(G)])
    # Outbound agents onto short inbound intervals, when a short interval costs more.
    if C:
        for g in range(G):
            for c in range(C):
                if undone_pen[c] >= short_pen:
                    continue
                for t in np.flatnonzero(out_var[g, c] >= 0).tolist():
                    v = int(out_var[g, c, t])
                    n = int(values[v])
                    if n <= 0:
                        continue
                    moved = to_inbound(g, t, n)
                    if moved:
                        values[v] -= moved
                        values[layout.undone_vars[c]] += moved * seconds
                        cap = cap_of_var.get(v)
                        if cap is not None:
                            cap_left[cap] += moved * seconds
        # The displaced work may fit in idle time elsewhere.
        fill([(g, np.flatnonzero(idle[g] > 0).tolist()) for g in range(G)])
    del everywhere

    # Adding agents: value of one more agent-interval of each group at each slot.
    tours, starts, breaks = layout.tour_vars, layout.start_vars, layout.break_vars
    if len(tours) and len(starts):
        cover = avail[:, starts].tocsc()  # +1 on the slots a start covers (fixed breaks removed)
        pause = (-avail[:, breaks]).tocsc() if len(breaks) else None  # +1 on a break's slots
        sk, bk, tk = layout.start_keys, layout.break_keys, layout.tour_keys
        # Break variables grouped by (rule, day, start slot, break): exactly one per group is added.
        border = np.lexsort((bk[:, 4], bk[:, 3], bk[:, 2], bk[:, 1], bk[:, 0])) if len(breaks) else np.zeros(0, int)
        bsorted = bk[border] if len(breaks) else bk
        if len(breaks):
            head = np.ones(len(border), dtype=bool)
            head[1:] = (bsorted[1:, :4] != bsorted[:-1, :4]).any(axis=1)
            bgroup_first = np.flatnonzero(head)
            bgroup_key = [tuple(k) for k in bsorted[bgroup_first, :3].tolist()]  # (rule, day, slot)
        else:
            bgroup_first, bgroup_key = np.zeros(0, int), []
        groups_of_start: dict[tuple, list[int]] = {}
        for i, key in enumerate(bgroup_key):
            groups_of_start.setdefault(key, []).append(i)
        start_bgroups = [groups_of_start.get((int(r), int(d), int(s)), []) for r, d, _, s in sk.tolist()]
        bgroup_id = np.cumsum(head) - 1 if len(breaks) else np.zeros(0, int)
        import scipy.sparse as sp

        pairs = [(i, gi) for i, gs in enumerate(start_bgroups) for gi in gs]
        start_to_bgroup = sp.csr_matrix(
            (np.ones(len(pairs)), ([i for i, _ in pairs], [gi for _, gi in pairs])),
            shape=(len(starts), len(bgroup_first)),
        )
        # Starts grouped by (rule, day, band): a tour working that day takes one of them.
        sorder = np.lexsort((sk[:, 3], sk[:, 2], sk[:, 1], sk[:, 0]))
        ssorted = sk[sorder]
        shead = np.ones(len(sorder), dtype=bool)
        shead[1:] = (ssorted[1:, :3] != ssorted[:-1, :3]).any(axis=1)
        sseg_first = np.flatnonzero(shead)
        sseg_id = np.cumsum(shead) - 1
        seg_of = {tuple(k): i for i, k in enumerate(ssorted[sseg_first, :3].tolist())}
        rule_group = np.array([r.group_index for r in problem.rules])
        tour_segs = []
        for r, w, bits, band in tk.tolist():
            segs = []
            for k in range(7):
                if (bits >> k) & 1:
                    segs.append(seg_of.get((r, 7 * w + k, band), -1))
            tour_segs.append(segs)
        width = max((len(s) for s in tour_segs), default=0)
        seg_table = np.full((len(tk), max(width, 1)), -2, dtype=np.int64)  # -2: not working, -1: no start
        for i, segs in enumerate(tour_segs):
            seg_table[i, : len(segs)] = segs
        tour_ok = ~(seg_table == -1).any(axis=1)
        caps = {}
        for (index, _coef, _lo, hi), kind in zip(model.rows, model.row_kind, strict=False):
            if kind.startswith("headcount:"):
                for v in index.tolist():
                    caps[v] = (len(caps), index, hi)
        overhead = cost[tours]
        start_cost = cost[starts]
        rule_of_start = sk[:, 0]
        group_of_start = rule_group[rule_of_start]

        for _ in range(max_agents):
            # Worth of one agent-interval of each group at each slot now.
            worth = np.zeros((G, T))
            for g in range(G):
                best_out = np.zeros(T)
                for c in range(C):
                    if values[layout.undone_vars[c]] <= 0:
                        continue
                    ok = (out_var[g, c] >= 0) & (cap_left[cap_index[g, c]] >= seconds)
                    best_out[ok] = np.maximum(best_out[ok], undone_pen[c])
                worth[g] = best_out
                for p in pools_of[g]:
                    sv = short_var[p]
                    has = sv >= 0
                    shortp = np.zeros(T, dtype=bool)
                    shortp[has] = values[sv[has]] > 0
                    worth[g, shortp] = short_pen
            flat = worth.reshape(-1)
            if not flat.any():
                break
            gain = cover.T @ flat
            if pause is not None:
                loss = (pause.T @ flat)[border]
                # Cheapest offset of each break group (first on ties: deterministic).
                arg = np.lexsort((loss, bgroup_id))[bgroup_first]
                start_loss = start_to_bgroup @ loss[arg]
            else:
                start_loss = np.zeros(len(starts))
            net = gain - start_loss - start_cost
            snet = net[sorder]
            pick = np.lexsort((-snet, sseg_id))[sseg_first]
            seg_best = snet[pick]
            seg_arg = sorder[pick]
            total = np.where(seg_table >= 0, seg_best[np.maximum(seg_table, 0)], 0.0).sum(axis=1) - overhead
            total[~tour_ok] = -np.inf
            for v in np.flatnonzero(total > 0).tolist():
                if tours[v] in caps:
                    _, index, hi = caps[tours[v]]
                    if values[index].sum() >= hi:
                        total[v] = -np.inf
            best = int(np.argmax(total))
            if not total[best] > 1e-9:
                break
            values[tours[best]] += 1
            touched = []
            for seg in seg_table[best].tolist():
                if seg < 0:
                    continue
                si = int(seg_arg[seg])
                values[starts[si]] += 1
                g = int(group_of_start[si])
                agent = cover[:, si].toarray().ravel()
                for gi in start_bgroups[si]:
                    bi = int(border[arg[gi]])  # arg: positions in the sorted break order
                    values[breaks[bi]] += 1
                    agent -= pause[:, bi].toarray().ravel()
                rows = np.flatnonzero(agent > 0)
                on[g, rows - g * T] += 1
                idle[g, rows - g * T] += 1
                touched.append((g, (rows - g * T).tolist()))
            fill(touched)

        # Dropping agents: a plan from a stopped search often staffs some tours that
        # cover little; remove one while its pay exceeds the work it loses.
        need = np.zeros((len(problem.pools), T))
        for pi, pool in enumerate(problem.pools):
            need[pi] = pool.required.reshape(-1)[:T]
        in_items = [(g, p, t, v) for (g, p, t), v in in_var.items()]
        out_items = [(int(g), int(c), int(t), int(v)) for (g, c, t), v in
                     zip(layout.outbound_keys.tolist(), layout.outbound_vars.tolist(), strict=False)]

        def unassign(g, t):
            """Take one agent of ``g`` at ``t`` off its work (cheapest loss first)."""
            served = np.zeros(len(problem.pools))
            for p in pools_of[g]:
                served[p] = sum(values[in_var[(h, p, t)]] for h in range(G) if (h, p, t) in in_var)
            for p in pools_of[g]:
                v = in_var[(g, p, t)]
                if values[v] > 0 and served[p] + short_at(p, t) > need[p, t]:
                    values[v] -= 1
                    return
            for c in sorted(range(C), key=lambda c: undone_pen[c]):
                v = int(out_var[g, c, t])
                if v >= 0 and values[v] > 0:
                    values[v] -= 1
                    values[layout.undone_vars[c]] += seconds
                    cap = cap_of_var.get(v)
                    if cap is not None:
                        cap_left[cap] += seconds
                    return
            for p in pools_of[g]:
                v = in_var[(g, p, t)]
                if values[v] > 0:
                    values[v] -= 1
                    values[short_var[p, t]] += 1
                    return

        before_drop = values.copy()
        for _ in range(max_agents):
            free = np.zeros((G, T), dtype=bool)  # losing an agent there costs nothing
            free[idle > 0] = True
            served = np.zeros((len(problem.pools), T))
            for _g, p, t, v in in_items:
                served[p, t] += values[v]
            slack = served - need + np.where(short_var >= 0, values[np.maximum(short_var, 0)], 0)
            cheapest = np.full((G, T), np.inf)
            for g, p, t, v in in_items:
                if values[v] > 0:
                    cheapest[g, t] = min(cheapest[g, t], 0.0 if slack[p, t] > 0 else short_pen)
            for g, c, t, v in out_items:
                if values[v] > 0:
                    cheapest[g, t] = min(cheapest[g, t], undone_pen[c])
            loss = np.where(free | ~np.isfinite(cheapest), 0.0, cheapest)
            flat = loss.reshape(-1)
            lose = cover.T @ flat
            if pause is not None:
                kept = (pause.T @ flat)[border]
                present = values[breaks[border]] > 0
                # The break taken (among offsets in use) that spares the most work.
                key = np.where(present, -kept, np.inf)
                barg = np.lexsort((key, bgroup_id))[bgroup_first]
                lose = lose - start_to_bgroup @ np.where(present[barg], kept[barg], 0.0)
            save = np.where(values[starts] > 0, start_cost - lose, -np.inf)
            ssave = save[sorder]
            pick = np.lexsort((-ssave, sseg_id))[sseg_first]
            seg_best, seg_arg = ssave[pick], sorder[pick]
            total = np.where(seg_table >= 0, seg_best[np.maximum(seg_table, 0)], 0.0).sum(axis=1) + overhead
            total[(values[tours] <= 0) | ~tour_ok] = -np.inf
            best = int(np.argmax(total))
            if not total[best] > 1e-9:
                break
            values[tours[best]] -= 1
            for seg in seg_table[best].tolist():
                if seg < 0:
                    continue
                si = int(seg_arg[seg])
                values[starts[si]] -= 1
                g = int(group_of_start[si])
                agent = cover[:, si].toarray().ravel()
                for gi in start_bgroups[si]:
                    bi = int(border[barg[gi]])
                    values[breaks[bi]] -= 1
                    agent -= pause[:, bi].toarray().ravel()
                for t in (np.flatnonzero(agent > 0) - g * T).tolist():
                    on[g, t] -= 1
                    idle[g, t] -= 1
                    if idle[g, t] < 0:
                        unassign(g, t)
                        idle[g, t] = 0
        fill([(g, np.flatnonzero(idle[g] > 0).tolist()) for g in range(G)])
        # Service goals: the dropped heads take their increments with them (late calls cost).
        values = settle_goal_steps(model, layout, values)
        if not _rows_hold(model, values) or float(values @ cost) > float(settle_goal_steps(model, layout, before_drop) @ cost):
            values = before_drop  # keep what the additions achieved

    values = settle_goal_steps(model, layout, values)
    if not _rows_hold(model, values):
        return original
    return values if float(values @ cost) < float(original @ cost) else original
