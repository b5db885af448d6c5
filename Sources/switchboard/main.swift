import SwitchboardApp

await SwitchboardCommand.runFromCommandLine()
