import Testing

@testable import PERC

/// RFC 8870 §4.6: when a sender sends Full and Short EKT fields.
@Suite struct EKTSenderScheduleTests {
    static let ms: UInt64 = 1_000_000

    /// Runs `count` packets `spacing` apart from `start` and returns which carried a Full field.
    static func run(
        _ schedule: EKTSenderSchedule, _ stream: inout EKTSenderSchedule.Stream, count: Int,
        start: UInt64, spacing: UInt64 = 20 * ms
    ) -> [Bool] {
        (0..<count).map { i in
            let now = start + UInt64(i) * spacing
            let full = schedule.wantsFull(stream, now: now)
            schedule.record(&stream, full: full, now: now)
            return full
        }
    }

    @Test func newStreamSendsThreeFullThenShortThenPeriodic() {
        let schedule = EKTSenderSchedule()
        var stream = EKTSenderSchedule.Stream(schedule: schedule)
        // 20 ms audio packets: Full ×3 (t = 0, 20, 40), Short until 100 ms after the last Full.
        let sent = Self.run(schedule, &stream, count: 12, start: 0)
        #expect(
            sent == [
                true, true, true, false, false, false, false, true, false, false, false, false,
            ])
    }

    @Test func keyChangeRestartsTheBurst() {
        let schedule = EKTSenderSchedule(burst: 3, interval: .seconds(10))
        var stream = EKTSenderSchedule.Stream(schedule: schedule)
        _ = Self.run(schedule, &stream, count: 5, start: 0)
        #expect(!schedule.wantsFull(stream, now: 200 * Self.ms))
        schedule.keyChanged(&stream)
        let sent = Self.run(schedule, &stream, count: 5, start: 200 * Self.ms)
        #expect(sent == [true, true, true, false, false])
    }

    @Test func customBurstAndNoPeriod() {
        let schedule = EKTSenderSchedule(burst: 1, interval: nil)
        var stream = EKTSenderSchedule.Stream(schedule: schedule)
        let sent = Self.run(schedule, &stream, count: 4, start: 0, spacing: 10_000 * Self.ms)
        #expect(sent == [true, false, false, false])
    }

    @Test func periodIsMeasuredFromTheLastFullField() {
        let schedule = EKTSenderSchedule(burst: 1, interval: .milliseconds(100))
        var stream = EKTSenderSchedule.Stream(schedule: schedule)
        #expect(Self.run(schedule, &stream, count: 1, start: 0) == [true])
        #expect(!schedule.wantsFull(stream, now: 99 * Self.ms))
        #expect(schedule.wantsFull(stream, now: 100 * Self.ms))
    }

    @Test func invalidSchedulesAreRefused() {
        #expect(throws: EKTError.invalidArgument("EKT Full field burst must be at least 1")) {
            try EKTSenderSchedule(burst: 0).validate()
        }
        #expect(throws: EKTError.invalidArgument("EKT Full field interval must be positive")) {
            try EKTSenderSchedule(interval: .zero).validate()
        }
    }

    @Test func clockConversionSaturates() {
        #expect(EKTClock.nanoseconds(.milliseconds(100)) == 100_000_000)
        #expect(EKTClock.nanoseconds(.seconds(Int64.max)) == .max)
        #expect(EKTClock.nanoseconds(.seconds(-1)) == 0)
    }
}
