"""Time series: rows of counters sampled on the simulated clock (kmm_sample_*)."""
import csv
import io
import json

import numpy as np

from ._ffi import ffi, lib


class TimeSeries:
    """The sampler of one machine. ``stop()`` (or leaving the ``with`` block) takes a last row
    and stops; ``times_ns``, ``columns``, ``values`` (NumPy [row, column]) read the rows."""

    def __init__(self, machine, interval_ns):
        self.machine = machine
        self.interval_ns = interval_ns
        self.stopped = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if not self.stopped and self.machine._m != ffi.NULL:
            self.stop()

    def stop(self):
        self.machine._check(lib.kmm_sample_stop(self.machine.m), "kmm_sample_stop")
        self.stopped = True
        return self

    def _shape(self):
        rows, cols, dropped = ffi.new("uint64_t *"), ffi.new("unsigned *"), ffi.new("uint64_t *")
        self.machine._check(lib.kmm_sample_shape(self.machine.m, rows, cols, dropped),
                            "kmm_sample_shape")
        return rows[0], cols[0], dropped[0]

    @property
    def columns(self):
        _, cols, _ = self._shape()
        return [ffi.string(lib.kmm_sample_column(self.machine.m, c)).decode()
                for c in range(cols)]

    @property
    def dropped(self):
        return self._shape()[2]

    def arrays(self):
        """(times_ns array, values array [row, column])."""
        rows, cols, _ = self._shape()
        times = np.zeros(rows, dtype=np.uint64)
        values = np.zeros((rows, cols), dtype=np.int64)
        t = ffi.new("uint64_t *")
        buf = ffi.new("int64_t[]", max(cols, 1))
        for r in range(rows):
            self.machine._check(lib.kmm_sample_row(self.machine.m, r, t, buf, cols),
                                "kmm_sample_row")
            times[r] = t[0]
            values[r] = list(buf)[:cols]
        return times, values

    @property
    def times_ns(self):
        return self.arrays()[0]

    @property
    def values(self):
        return self.arrays()[1]

    def to_dict(self):
        """{"interval_ns", "columns", "t_ns": [...], name: [...] ...} (the JSON schema's
        "samples" object)."""
        times, values = self.arrays()
        cols = self.columns
        return {"interval_ns": self.interval_ns, "columns": cols, "dropped": self.dropped,
                "t_ns": [int(t) for t in times],
                "rows": [[int(v) for v in row] for row in values]}

    def to_json(self, path=None):
        text = json.dumps(self.to_dict())
        if path:
            with open(path, "w") as f:
                f.write(text)
        return text

    def to_csv(self, path=None):
        times, values = self.arrays()
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["t_ns", *self.columns])
        for t, row in zip(times, values):
            w.writerow([int(t), *[int(v) for v in row]])
        if path:
            with open(path, "w") as f:
                f.write(out.getvalue())
        return out.getvalue()

    def plot(self, kind, out):
        """Draws picture @kind ("free-orders", "fragmentation", "tlb", "activity": kmm.plot)
        of these rows to PNG file @out; returns @out."""
        from . import plot
        if kind not in plot.KINDS or kind == "zone-map":
            raise ValueError(f"unknown time-series picture {kind!r}")
        return plot.KINDS[kind](self, out)

    def __getitem__(self, name):
        cols = self.columns
        if name not in cols:
            raise KeyError(f"{name} (columns: {', '.join(cols)})")
        return self.values[:, cols.index(name)]

    def __repr__(self):
        rows, cols, dropped = self._shape()
        return (f"<kmm.TimeSeries {rows} rows x {cols} counters every "
                f"{self.interval_ns / 1000:g} us{', stopped' if self.stopped else ''}>")
