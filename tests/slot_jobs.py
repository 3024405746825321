"""Jobs for the slot tests that real work cannot provide on demand: one that hangs, one that
fails. They run in real worker processes like any job (forkserver children import this
module by name; conftest puts tests/ on sys.path before the forkserver starts)."""

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class SleepJob:
    request_id: int
    seconds: float

    def run(self, report):
        for step in range(10):
            report(step, 10)
            time.sleep(self.seconds / 10)
        return {"slept": self.seconds}


@dataclass(frozen=True)
class FailJob:
    request_id: int

    def run(self, report):
        # Two lines: the user is shown the first, the log gets all of it.
        raise ValueError("this job always fails\nand says more on a second line")
