import NIOCore
import Testing

@testable import ConnectionLimits

#if canImport(Glibc)
import Glibc
#endif

@Suite struct DescriptorBudgetTests {
    @Test func theConfiguredCapStandsWhenDescriptorsAreAmple() {
        #expect(
            DescriptorBudget.cap(configured: 20_000, descriptorLimit: 1_048_576, shareNumerator: 1, shareDenominator: 2)
                == 20_000
        )
        #expect(
            DescriptorBudget.cap(configured: 500, descriptorLimit: nil, shareNumerator: 1, shareDenominator: 2) == 500
        )
    }

    @Test func aLowDescriptorLimitLowersTheCapToTheListenersShare() {
        // 1024 descriptors: 64 reserved, half of the rest.
        #expect(
            DescriptorBudget.cap(configured: 20_000, descriptorLimit: 1024, shareNumerator: 1, shareDenominator: 2)
                == 480
        )
        #expect(
            DescriptorBudget.cap(configured: 300, descriptorLimit: 1024, shareNumerator: 1, shareDenominator: 4) == 240
        )
        // 0 is the operator turning the cap off.
        #expect(DescriptorBudget.cap(configured: 0, descriptorLimit: 1024, shareNumerator: 1, shareDenominator: 4) == 0)
        #expect(DescriptorBudget.cap(configured: 100, descriptorLimit: 10, shareNumerator: 1, shareDenominator: 2) == 1)
    }

    @Test func theProcessHasADescriptorLimit() {
        #expect((DescriptorBudget.currentLimit() ?? Int.max) > 0)
    }

    @Test func descriptorExhaustionIsToldApart() {
        #expect(AcceptPauseHandler.isDescriptorExhaustion(IOError(errnoCode: EMFILE, reason: "accept")))
        #expect(AcceptPauseHandler.isDescriptorExhaustion(IOError(errnoCode: ENFILE, reason: "accept")))
        #expect(!AcceptPauseHandler.isDescriptorExhaustion(IOError(errnoCode: ECONNABORTED, reason: "accept")))
    }
}

#if canImport(Glibc)
@Suite struct DescriptorLimitTests {
    @Test func theSoftLimitIsRaisedToTheHardOne() {
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #expect(getrlimit(resource, &limit) == 0)
        let raised = DescriptorBudget.raiseSoftLimit()
        #expect(getrlimit(resource, &limit) == 0)
        #expect(limit.rlim_cur == limit.rlim_max)
        #expect(raised == (limit.rlim_cur == rlim_t.max ? nil : Int(limit.rlim_cur)))
    }
}
#endif
