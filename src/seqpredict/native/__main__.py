"""python -m seqpredict.native [build|status]"""

from seqpredict.native import main

raise SystemExit(main())
