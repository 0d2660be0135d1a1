from broadsheet.cli import main

main()
