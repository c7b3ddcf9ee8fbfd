import Foundation

/// The C library's text for an `errno` value ("No such file or directory"), as error messages quote
/// it. The default is the current `errno`: call it before anything else that may change it.
package func errnoMessage(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }
