import ArgumentParser
import PodsmithKit

/// Lets `--meter podsmith|libebur128` parse straight into ``MeterKind``.
extension MeterKind: ExpressibleByArgument {}
