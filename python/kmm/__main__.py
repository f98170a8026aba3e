"""python3 -m kmm plot KIND INPUT [-o OUT.png]: the pictures of kmm.plot (kmmsim plot runs
this)."""
import sys

from . import plot

if len(sys.argv) < 2 or sys.argv[1] != "plot":
    print("usage: python3 -m kmm plot KIND INPUT [-o OUT.png] (python3 -m kmm plot -h)",
          file=sys.stderr)
    sys.exit(2)
sys.exit(plot.main(sys.argv[2:]))
