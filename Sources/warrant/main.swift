import Foundation
import WarrantCLI

let status = await WarrantMain.run(Array(CommandLine.arguments.dropFirst()), context: .process)
exit(status)
