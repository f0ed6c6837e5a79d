// Bounded minimisers for small smoothing problems (1–3 parameters in [lower, upper]), pure.
// One parameter: Brent's method (golden section with parabolic steps), as R's optimize().
// Several: Nelder–Mead on the box (points are clamped into it) from several starts, then a
// short coordinate-wise Brent polish, so the result does not hinge on one start.

export type Objective = (p: number[]) => number;

export function brent(
  f: (x: number) => number,
  lower: number,
  upper: number,
  tol = 1e-10,
): { x: number; fx: number } {
  const golden = 0.3819660112501051;
  let a = lower;
  let b = upper;
  let x = a + golden * (b - a);
  let w = x;
  let v = x;
  let fx = f(x);
  let fw = fx;
  let fv = fx;
  let d = 0;
  let e = 0;
  for (let iter = 0; iter < 200; iter++) {
    const xm = 0.5 * (a + b);
    const tol1 = 1.4901161193847656e-8 * Math.abs(x) + tol / 3;
    const tol2 = 2 * tol1;
    if (Math.abs(x - xm) <= tol2 - 0.5 * (b - a)) break;
    let useGolden = true;
    if (Math.abs(e) > tol1) {
      const r = (x - w) * (fx - fv);
      let q = (x - v) * (fx - fw);
      let p = (x - v) * q - (x - w) * r;
      q = 2 * (q - r);
      if (q > 0) p = -p;
      else q = -q;
      const etemp = e;
      e = d;
      if (Math.abs(p) < Math.abs(0.5 * q * etemp) && p > q * (a - x) && p < q * (b - x)) {
        d = p / q;
        const u = x + d;
        if (u - a < tol2 || b - u < tol2) d = xm >= x ? tol1 : -tol1;
        useGolden = false;
      }
    }
    if (useGolden) {
      e = x >= xm ? a - x : b - x;
      d = golden * e;
    }
    const u = Math.abs(d) >= tol1 ? x + d : x + (d > 0 ? tol1 : -tol1);
    const fu = f(u);
    if (fu <= fx) {
      if (u >= x) a = x;
      else b = x;
      v = w;
      fv = fw;
      w = x;
      fw = fx;
      x = u;
      fx = fu;
    } else {
      if (u < x) a = u;
      else b = u;
      if (fu <= fw || w === x) {
        v = w;
        fv = fw;
        w = u;
        fw = fu;
      } else if (fu <= fv || v === x || v === w) {
        v = u;
        fv = fu;
      }
    }
  }
  // The bounds themselves are candidates (Brent never evaluates them).
  for (const edge of [lower, upper]) {
    const fe = f(edge);
    if (fe < fx) {
      x = edge;
      fx = fe;
    }
  }
  return { x, fx };
}

function clampAll(p: number[], lower: number[], upper: number[]): number[] {
  return p.map((v, i) => Math.min(upper[i]!, Math.max(lower[i]!, v)));
}

export function nelderMead(
  f: Objective,
  start: number[],
  lower: number[],
  upper: number[],
  options: { maxEvaluations?: number; tolerance?: number; step?: number } = {},
): { x: number[]; fx: number } {
  const n = start.length;
  const maxEval = options.maxEvaluations ?? 2000;
  const tol = options.tolerance ?? 1e-12;
  const step = options.step ?? 0.1;
  const g = (p: number[]) => f(clampAll(p, lower, upper));
  let simplex: { x: number[]; fx: number }[] = [];
  const x0 = clampAll(start, lower, upper);
  simplex.push({ x: x0, fx: g(x0) });
  for (let i = 0; i < n; i++) {
    const x = [...x0];
    const span = upper[i]! - lower[i]!;
    x[i] = x[i]! + step * span <= upper[i]! ? x[i]! + step * span : x[i]! - step * span;
    simplex.push({ x, fx: g(x) });
  }
  let evals = n + 1;
  while (evals < maxEval) {
    simplex.sort((a, b) => a.fx - b.fx);
    const best = simplex[0]!;
    const worst = simplex[n]!;
    if (Math.abs(worst.fx - best.fx) <= tol * (Math.abs(best.fx) + 1e-300)) {
      const spread = Math.max(
        ...simplex.map((s) => Math.max(...s.x.map((v, i) => Math.abs(v - best.x[i]!)))),
      );
      if (spread < 1e-9) break;
    }
    const centroid = new Array<number>(n).fill(0);
    for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) centroid[i]! += simplex[k]!.x[i]! / n;
    const at = (t: number) =>
      centroid.map((c, i) => clampAll([c + t * (worst.x[i]! - c)], [lower[i]!], [upper[i]!])[0]!);
    const xr = at(-1);
    const fr = g(xr);
    evals++;
    if (fr < best.fx) {
      const xe = at(-2);
      const fe = g(xe);
      evals++;
      simplex[n] = fe < fr ? { x: xe, fx: fe } : { x: xr, fx: fr };
    } else if (fr < simplex[n - 1]!.fx) {
      simplex[n] = { x: xr, fx: fr };
    } else {
      const xc = fr < worst.fx ? at(-0.5) : at(0.5);
      const fc = g(xc);
      evals++;
      if (fc < Math.min(fr, worst.fx)) {
        simplex[n] = { x: xc, fx: fc };
      } else {
        simplex = simplex.map((s, k) => {
          if (k === 0) return s;
          const x = s.x.map((v, i) => best.x[i]! + 0.5 * (v - best.x[i]!));
          evals++;
          return { x, fx: g(x) };
        });
      }
    }
  }
  simplex.sort((a, b) => a.fx - b.fx);
  return { x: clampAll(simplex[0]!.x, lower, upper), fx: simplex[0]!.fx };
}

/** Minimises f over the box [lower, upper]: Brent for one parameter, multi-start Nelder–Mead otherwise. */
export function minimizeBounded(
  f: Objective,
  starts: number[][],
  lower: number[],
  upper: number[],
): { x: number[]; fx: number } {
  const n = lower.length;
  if (n === 1) {
    const r = brent((x) => f([x]), lower[0]!, upper[0]!);
    return { x: [r.x], fx: r.fx };
  }
  let best: { x: number[]; fx: number } | undefined;
  for (const s of starts) {
    let r = nelderMead(f, s, lower, upper);
    // Restart from the result once: Nelder–Mead can stall on a collapsed simplex.
    r = nelderMead(f, r.x, lower, upper, { step: 0.02 });
    if (!best || r.fx < best.fx) best = r;
  }
  // Coordinate polish (helps when the optimum sits on a bound).
  let x = [...best!.x];
  let fx = best!.fx;
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < n; i++) {
      const r = brent(
        (v) => {
          const p = [...x];
          p[i] = v;
          return f(p);
        },
        lower[i]!,
        upper[i]!,
      );
      if (r.fx < fx) {
        x[i] = r.x;
        fx = r.fx;
      }
    }
  }
  x = clampAll(x, lower, upper);
  return { x, fx };
}
