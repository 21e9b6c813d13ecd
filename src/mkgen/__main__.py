from __future__ import annotations

from mkgen.entry import main

if __name__ == "__main__":
    main()
