from planvalidator.cli import main

main()
