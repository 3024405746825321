"""Models fitted to the bins around one spectral peak under a Gaussian window: one partial
sweeping linearly, or two steady partials (``workers.track_peaks`` splits a peak two
partials merged into when the second fits far better).

The spectra are *de-ramped* (the phase ramp of the window's centre lying off the FFT's first
sample removed) and their frequencies measured in the window's frequency sigmas from a
reference bin, ``nu``. Then a steady sinusoid's spectrum is a real Gaussian kernel,
exp(-(nu - u)**2 / 2), times its complex amplitude, and a linear chirp's is a Gaussian of
complex width, exp(c0 + c1 nu + c2 nu**2) with complex c (its log a quadratic). Two steady
partials are the sum of two kernels, fitted by variable projection: their amplitudes are
solved by 2 x 2 least squares for given frequencies, and the frequencies refined by
Gauss-Newton steps with Kaufman's Jacobian (an analytic one; fixed amplitudes without the
projection converged badly).

Every function works on q peaks at once: ``y`` complex (q, bins), ``nu`` float (q, bins).
Pure numpy: no GUI code.
"""

from __future__ import annotations

import numpy as np

STEPS = 6  # Gauss-Newton steps on the two frequencies (4 lost 0.001 of the crossings' F)
MAX_STEP = 0.5  # sigmas, the largest step
_TINY = np.finfo(np.float64).tiny  # keeps a log or a quotient of zero finite


def chirp_residual(y: np.ndarray, nu: np.ndarray) -> np.ndarray:
    """The power (q,) the best single partial with a linear sweep leaves: its log is fitted as
    a quadratic to the log spectrum, weighted by the power, then its complex scale refitted
    to the spectrum itself."""
    w = y.real**2 + y.imag**2
    logy = 0.5 * np.log(w + _TINY) + 1j * np.unwrap(np.angle(y), axis=1)
    basis = np.stack((np.ones_like(nu), nu, nu**2), axis=2)
    normal = np.einsum("qb,qbi,qbj->qij", w, basis, basis)
    rhs = np.einsum("qb,qbi,qb->qi", w, basis, logy)
    coef = np.linalg.solve(normal + 1e-12 * np.eye(3), rhs[..., None])[..., 0]
    model = np.exp(coef[:, 1:2] * nu + coef[:, 2:3] * nu**2)
    fit = np.sum(model.conj() * y, axis=1)
    return np.sum(w, axis=1) - np.abs(fit) ** 2 / np.sum(np.abs(model) ** 2, axis=1)


def two_partials(y: np.ndarray, nu: np.ndarray, u1: np.ndarray, u2: np.ndarray):
    """Two steady partials fitted from starting frequencies u1, u2 (q,) in sigmas: STEPS
    Gauss-Newton steps, each at most MAX_STEP and kept within the fitted bins.

    Returns
    -------
    u1, u2 : float (q,), their frequencies in sigmas
    a1, a2 : complex (q,), their amplitudes (a steady sine's peak value in the spectrum)
    residual : float (q,), the power they leave
    """
    lo, hi = nu[:, 0], nu[:, -1]
    for _ in range(STEPS):
        r, a1, a2, g1, g2, project = _two_kernels(y, nu, u1, u2)
        # Kaufman's Jacobian: d r / d u_j = -(I - P) a_j (nu - u_j) g_j, P the projection on
        # the kernels.
        j1 = -project(a1[:, None] * (nu - u1[:, None]) * g1)[2]
        j2 = -project(a2[:, None] * (nu - u2[:, None]) * g2)[2]
        h11 = np.sum(np.abs(j1) ** 2, 1)
        h22 = np.sum(np.abs(j2) ** 2, 1)
        h12 = np.sum((j1.conj() * j2).real, 1)
        damp = 1e-3 * (h11 + h22) + _TINY  # Levenberg's, for kernels that nearly coincide
        h11, h22 = h11 + damp, h22 + damp
        e1, e2 = -np.sum((j1.conj() * r).real, 1), -np.sum((j2.conj() * r).real, 1)
        det = h11 * h22 - h12**2
        step1 = np.clip((h22 * e1 - h12 * e2) / det, -MAX_STEP, MAX_STEP)
        step2 = np.clip((h11 * e2 - h12 * e1) / det, -MAX_STEP, MAX_STEP)
        u1, u2 = np.clip(u1 + step1, lo, hi), np.clip(u2 + step2, lo, hi)
    r, a1, a2 = _two_kernels(y, nu, u1, u2)[:3]
    return u1, u2, a1, a2, np.sum(r.real**2 + r.imag**2, 1)


def _two_kernels(y, nu, u1, u2):
    """The least-squares complex amplitudes of two steady partials at u1, u2 (q,) sigmas:
    (residual (q, bins), a1, a2, g1, g2 their kernels (q, bins), project(v): v's
    coefficients on the kernels and its part orthogonal to them)."""
    g1 = np.exp(-0.5 * (nu - u1[:, None]) ** 2)
    g2 = np.exp(-0.5 * (nu - u2[:, None]) ** 2)
    s11, s12, s22 = np.sum(g1 * g1, 1), np.sum(g1 * g2, 1), np.sum(g2 * g2, 1)
    det = s11 * s22 - s12**2 + 1e-12 * s11 * s22

    def project(v):
        b1, b2 = np.sum(g1 * v, 1), np.sum(g2 * v, 1)
        c1, c2 = (s22 * b1 - s12 * b2) / det, (s11 * b2 - s12 * b1) / det
        return c1, c2, v - c1[:, None] * g1 - c2[:, None] * g2

    a1, a2, residual = project(y)
    return residual, a1, a2, g1, g2, project
