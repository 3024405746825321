"""Which OpenGL renderers count as software (app.shell.graphics; the window test checks the
effect)."""

import pytest

from app.shell.graphics import is_software


@pytest.mark.parametrize(
    "renderer",
    [
        "llvmpipe (LLVM 15.0.6, 256 bits)",
        "softpipe",
        "Software Rasterizer",
        "Mesa X11 swrast",
        None,
    ],
)
def test_software_rasterisers_and_no_opengl_count_as_software(renderer):
    assert is_software(renderer)


@pytest.mark.parametrize(
    "renderer",
    [
        "AMD Radeon RX 6600 (navi23, LLVM 15.0.7, DRM 3.49)",
        "NVIDIA GeForce RTX 3060/PCIe/SSE2",
        "Mesa Intel(R) UHD Graphics 620 (KBL GT2)",
        "Apple M2",
    ],
)
def test_gpus_do_not(renderer):
    assert not is_software(renderer)
