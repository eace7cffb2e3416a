import sys

from vocmine.cli._main import main

sys.exit(main())
