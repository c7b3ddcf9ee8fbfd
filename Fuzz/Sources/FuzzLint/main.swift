import CFuzzerDriver
import Foundation

// Starts libFuzzer on `fuzzLint` (see FuzzLint.swift) with the process's own arguments.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzLint(data, size) })
