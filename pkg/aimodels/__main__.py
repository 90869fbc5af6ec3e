from aimodels.cli.app import main

main()
