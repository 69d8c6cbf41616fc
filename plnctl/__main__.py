from plnctl.cli.entry import main

main()
