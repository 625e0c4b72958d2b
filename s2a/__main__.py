from s2a.cli import main

main()
