from seqpredict.cli import main

main()
