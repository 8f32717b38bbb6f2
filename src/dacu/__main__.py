from dacu.entrypoints.cli import main

main()
