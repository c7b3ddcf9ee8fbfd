import CFuzzerDriver
import Foundation

// Starts libFuzzer on `fuzzDecode` (see FuzzDecode.swift) with the process's own arguments.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzDecode(data, size) })
