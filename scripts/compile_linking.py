"""Compile the partial tracker's linking ahead of time (run by `make`; quick when up to date).

The kernels of workers/track_link.py, compiled with numba's pycc into an extension module
beside it, named by that file's digest (``compiled_name``): a tracking process then loads
them in under a millisecond and never imports numba (0.55 s of CPU at its start otherwise).
Modules built from earlier versions of the file are removed. Needs a C compiler and Python's
headers (scripts/install-system.sh); without them it says so and tracking uses numba's JIT.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

from workers import track_link


def main() -> int:
    if track_link.compiled_module() is not None:
        return 0  # built from this version of the file, for this numpy
    name = track_link.compiled_name()
    directory = Path(track_link.__file__).parent
    # The JIT compiles the kernels (into its cache, which the build reuses) and so gives the
    # entry point's signature, argument types and all.
    kernels = track_link.jit_kernels()
    track_link.prepare()
    link_frames = kernels["_link_frames"]
    with warnings.catch_warnings():
        # pycc is "pending deprecation" since numba 0.57, its replacement not yet released.
        warnings.simplefilter("ignore")
        from numba.pycc import CC

        compiler = CC(name)
        compiler.output_dir = str(directory)
        compiler.export("link_frames", link_frames.nopython_signatures[0])(link_frames.py_func)
        try:
            compiler.compile()
        except Exception as error:  # pycc raises what the C compiler and distutils raise
            print(
                f"compile_linking: could not compile the tracker's linking ({error}); "
                "tracking will compile it with numba's JIT at its first use instead",
                file=sys.stderr,
            )
            return 0
    for old in directory.glob("_track_link_*"):
        if old.name.split(".")[0] != name:
            old.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
