import CFuzzerDriver
import Foundation

// Starts libFuzzer on `fuzzChapters` (see FuzzChapters.swift) with the process's own arguments.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzChapters(data, size) })
