from plnctl.cli.app import main

main()
