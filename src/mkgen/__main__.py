from __future__ import annotations

from mkgen.cli import main

if __name__ == "__main__":
    main()
