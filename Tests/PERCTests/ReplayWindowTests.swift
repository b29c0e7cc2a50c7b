import Testing
@testable import PERC
