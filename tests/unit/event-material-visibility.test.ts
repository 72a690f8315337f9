import { expect } from 'chai';
import { canManageEventMaterial, canSeeEventMaterial, TLP_MARKINGS, type Actor, type EventRecipients, type EventRule, type TlpMarking } from '../../backend/src/policy/policy.ts';

/**
 * canSeeEventMaterial: the event's audience first, then the marking judged by canSeeAlert with the
 * event's recipients (organiser and registered participants, and their organisations).
 */
const person = (id: string, sector: Actor['sector'], organisationId: string, roles: Actor['roles'] = [], status: Actor['status'] = 'member'): Actor => ({ id, status, roles, sector, organisationId });

const organiser = person('organiser', 'academia', 'org-organiser', ['organiser']);
const participant = person('participant', 'industry', 'org-participant');
const colleague = person('colleague', 'industry', 'org-participant');
const colleagueOfOrganiser = person('colleague-of-organiser', 'academia', 'org-organiser');
const bystander = person('bystander', 'industry', 'org-other');
const moderator = person('moderator', 'industry', 'org-mods', ['moderator']);
const admin = person('admin', 'industry', 'org-admins', ['admin']);
// Outside the audience (industry and academia), even with the participant's organisation id: the event comes first.
const outsider = person('outsider', 'government', 'org-participant');
const suspendedParticipant = person('participant', 'industry', 'org-participant', [], 'suspended');

const event: EventRule = { organiserId: 'organiser', audience: { sectors: ['industry', 'academia'], roles: [] } };
const recipients: EventRecipients = { memberIds: ['organiser', 'participant'], organisationIds: ['org-organiser', 'org-participant'] };

const everyone = { organiser, participant, colleague, colleagueOfOrganiser, bystander, moderator, admin, outsider, suspendedParticipant, visitor: null };
const inAudience = ['organiser', 'participant', 'colleague', 'colleagueOfOrganiser', 'bystander', 'moderator', 'admin'];
const AUDIENCE: Record<TlpMarking, string[]> = {
  'TLP:CLEAR': inAudience,
  'TLP:GREEN': inAudience,
  'TLP:AMBER': ['organiser', 'participant', 'colleague', 'colleagueOfOrganiser'],
  'TLP:AMBER+STRICT': ['organiser', 'participant', 'colleague', 'colleagueOfOrganiser'],
  'TLP:RED': ['organiser', 'participant'],
};

describe('event material visibility (canSeeEventMaterial)', function () {
  for (const marking of TLP_MARKINGS) {
    it(`${marking} written by the organiser: exactly its audience`, function () {
      const seen = Object.entries(everyone).filter(([, actor]) => canSeeEventMaterial(actor, event, { authorId: 'organiser', marking }, recipients)).map(([name]) => name);
      expect(seen.sort()).to.deep.equal([...AUDIENCE[marking]].sort());
    });
  }

  it('the author sees their own at every marking, while in the audience; a moderator manages only what they may see', function () {
    for (const marking of TLP_MARKINGS) {
      expect(canSeeEventMaterial(moderator, event, { authorId: 'moderator', marking }, recipients), marking).to.equal(true);
      expect(canManageEventMaterial(moderator, event, { authorId: 'moderator', marking }, recipients), marking).to.equal(true);
      expect(canManageEventMaterial(moderator, event, { authorId: 'organiser', marking }, recipients), marking).to.equal(AUDIENCE[marking].includes('moderator'));
      expect(canManageEventMaterial(participant, event, { authorId: 'organiser', marking }, recipients), marking).to.equal(false);
      expect(canManageEventMaterial(organiser, event, { authorId: 'moderator', marking }, recipients), marking).to.equal(true);
    }
    const narrowed: EventRule = { organiserId: 'organiser', audience: { sectors: ['academia'], roles: [] } };
    expect(canSeeEventMaterial(moderator, narrowed, { authorId: 'moderator', marking: 'TLP:CLEAR' }, recipients)).to.equal(false);
  });
});
