"""Running scenario text (docs/scenarios.md) through the library, as kmmsim run does."""
from ._ffi import ffi, lib
from .errors import error_for
from .machine import Config, _last_error, _text


def run_scenario(text, name="scenario", options=(), **kwargs):
    """Runs scenario @text on a machine with kmmsim's options; returns its output text.
    Raises a KmmError naming the failing line ("NAME:LINE: message")."""
    cfg = Config(options, **kwargs)
    chunks = []

    @ffi.callback("void(void *, const char *, size_t)")
    def sink(arg, data, n):
        chunks.append(ffi.unpack(data, n))
    st = lib.kmm_scenario_run(_text(text, "text"), _text(name, "name"), cfg._cfg, sink, ffi.NULL)
    out = b"".join(chunks).decode(errors="replace")
    if st:
        err = error_for(st, _last_error(), "kmm_scenario_run")
        err.output = out
        raise err
    return out
