import { expect } from 'chai';
import { dayKey, eventDays, firstWeekday, monthKey, monthRange, monthWeeks, parseMonth, shiftMonth } from '../../frontend/src/lib/events/calendar.ts';

/** The web app's calendar arithmetic, in whatever zone this process runs in (local dates throughout). */
describe('events calendar arithmetic', function () {
  const local = (year: number, month: number, day: number, hour = 0, minute = 0) => new Date(year, month - 1, day, hour, minute);

  it('reads only real months from the address and steps across years', function () {
    expect(parseMonth('2027-01')).to.deep.equal({ year: 2027, month: 1 });
    for (const bad of [null, '', '2027-13', '2027-1', '2027-00', 'x2027-01', '1969-12']) expect(parseMonth(bad), String(bad)).to.equal(null);
    expect(shiftMonth({ year: 2026, month: 12 }, 1)).to.deep.equal({ year: 2027, month: 1 });
    expect(shiftMonth({ year: 2027, month: 1 }, -1)).to.deep.equal({ year: 2026, month: 12 });
    expect(monthKey(shiftMonth({ year: 2026, month: 3 }, -15))).to.equal('2024-12');
  });

  it('spans a month from its first local midnight to the next one', function () {
    const { from, to } = monthRange({ year: 2027, month: 2 });
    expect([from.getFullYear(), from.getMonth(), from.getDate(), from.getHours()]).to.deep.equal([2027, 1, 1, 0]);
    expect([to.getFullYear(), to.getMonth(), to.getDate(), to.getHours()]).to.deep.equal([2027, 2, 1, 0]);
  });

  it('lays a month out in weeks from the given first weekday, blanks before and after', function () {
    // February 2027 starts on a Monday and has 28 days: exactly four Monday weeks, five Sunday ones.
    const monday = monthWeeks({ year: 2027, month: 2 }, 1);
    expect(monday).to.have.length(4);
    expect(monday[0]![0]!.getDate()).to.equal(1);
    const sunday = monthWeeks({ year: 2027, month: 2 }, 0);
    expect(sunday).to.have.length(5);
    expect(sunday[0]![0]).to.equal(null);
    expect(sunday[4]!.filter(Boolean)).to.have.length(1);
    for (const week of [...monday, ...sunday]) expect(week).to.have.length(7);
    expect(sunday.flat().filter(Boolean)).to.have.length(28);
    expect(firstWeekday('en-GB')).to.be.within(0, 6);
  });

  it('puts an event on every local day it overlaps within the month, and not on the day it ends at midnight', function () {
    const ref = { year: 2027, month: 1 };
    const iso = (date: Date) => date.toISOString();
    expect(eventDays(iso(local(2027, 1, 14, 21)), iso(local(2027, 1, 14, 23)), ref)).to.deep.equal(['2027-01-14']);
    expect(eventDays(iso(local(2027, 1, 14, 23)), iso(local(2027, 1, 15, 1)), ref)).to.deep.equal(['2027-01-14', '2027-01-15']);
    expect(eventDays(iso(local(2027, 1, 14, 22)), iso(local(2027, 1, 15, 0)), ref)).to.deep.equal(['2027-01-14']);
    // Running in from December and on into February: only January's days, all 31.
    const long = eventDays(iso(local(2026, 12, 30, 9)), iso(local(2027, 2, 2, 9)), ref);
    expect(long).to.have.length(31);
    expect([long[0], long[30]]).to.deep.equal(['2027-01-01', '2027-01-31']);
    expect(eventDays(iso(local(2027, 2, 1, 9)), iso(local(2027, 2, 1, 10)), ref)).to.deep.equal([]);
    expect(dayKey(local(2027, 3, 5, 23, 59))).to.equal('2027-03-05');
  });
});
