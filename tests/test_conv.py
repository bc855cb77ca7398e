"""lax.conv_general_dilated and wrappers: known answers vs scipy.signal.correlate, gradients."""
import numpy as np
import pytest
from scipy import signal

import nablax
from nablax import lax
from nablax.test_util import check_grads


def _scipy_conv(x, w):
    """NCHW/OIHW VALID correlation, one (batch, out feature) pair at a time."""
    return np.stack([np.stack([sum(signal.correlate(x[n, c], w[o, c], mode="valid") for c in range(x.shape[1]))
                               for o in range(w.shape[0])]) for n in range(x.shape[0])])


def test_valid_matches_scipy():
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((4, 3, 3, 2))
    with nablax.config.enable_x64(True):
        out = lax.conv_general_dilated(x, w, (1, 1), "VALID")
    np.testing.assert_allclose(np.asarray(out), _scipy_conv(x, w), rtol=1e-12)


def test_nhwc_same_strided_matches_padded_reference():
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((1, 7, 6, 2)), rng.standard_normal((3, 3, 2, 4))
    with nablax.config.enable_x64(True):
        out = lax.conv_general_dilated(x, w, (2, 2), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))
    xp = np.pad(x.transpose(0, 3, 1, 2), ((0, 0), (0, 0), (1, 1), (0, 1)))  # SAME for 7 and 6 at stride 2
    ref = _scipy_conv(xp, w.transpose(3, 2, 0, 1))[:, :, ::2, ::2].transpose(0, 2, 3, 1)
    np.testing.assert_allclose(np.asarray(out), ref, rtol=1e-12)


@pytest.mark.parametrize("kw", [{}, {"feature_group_count": 2}, {"batch_group_count": 2},
                                {"lhs_dilation": (2, 1), "rhs_dilation": (1, 2)}])
def test_grads(kw):
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((2, 4, 4, 3)), rng.standard_normal((4, 2 if "feature_group_count" in kw else 4, 2, 2))
    with nablax.config.enable_x64(True):
        f = lambda x, w: lax.conv_general_dilated(x, w, (1, 1), [(1, 0), (0, 1)], **kw)  # noqa: E731
        check_grads(f, (x, w), order=2, modes=("fwd", "rev"))


def test_channel_mismatch_names_shapes():
    with pytest.raises(ValueError, match=r"rhs shape \(2, 2, 2, 2\)"):
        lax.conv_general_dilated(np.ones((1, 3, 4, 4)), np.ones((2, 2, 2, 2)), (1, 1), "SAME")
