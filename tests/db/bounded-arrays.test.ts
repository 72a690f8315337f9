import { expect } from 'chai';
import { createModels, type Models } from '../../backend/src/db/models.ts';
import { recordFirstAction } from '../../backend/src/moderation/transparency.ts';
import { MEDIAN_SAMPLE_LIMIT } from '../../backend/src/moderation/moderation.model.ts';
import { Notifier } from '../../backend/src/notifications/notification.actions.ts';
import { NOTIFICATION_BOX_LIMIT } from '../../backend/src/notifications/notification.model.ts';
import { RealtimeHub } from '../../backend/src/realtime/hub.ts';
import { freshDatabase, type TestDatabase } from '../helpers/engine.ts';

/**
 * Lists kept inside one document stay bounded on both engines. FerretDB 1.24 ignores `$slice` in
 * `$push` (it stores every item), so the bound is kept by a separate, conditional `$pop`.
 */
describe('bounded lists inside documents', function () {
  let database: TestDatabase;
  let models: Models;

  before(async function () {
    database = await freshDatabase('bounded');
    models = createModels(database.connection);
    await Promise.all([models.NotificationBox.init(), models.TransparencyMonth.init()]);
  });

  after(async function () {
    await database.drop();
  });

  it('keeps a notification box to its newest NOTIFICATION_BOX_LIMIT items, also under parallel writes', async function () {
    this.timeout(120_000);
    const notifier = new Notifier(models.NotificationBox, new RealtimeHub(), (id) => models.Member.findById(id).lean());
    const memberId = '0123456789abcdef01234567';
    const extra = 7;
    for (let index = 0; index < NOTIFICATION_BOX_LIMIT; index++) {
      await notifier.notify(memberId, { kind: 'message.mention', title: `n${index}`, body: '', link: '/' });
    }
    await Promise.all(Array.from({ length: extra }, (_, index) => notifier.notify(memberId, { kind: 'message.mention', title: `late${index}`, body: '', link: '/' })));
    const box = await models.NotificationBox.findById(memberId).lean();
    expect(box!.items).to.have.length(NOTIFICATION_BOX_LIMIT);
    const titles = box!.items.map((item) => item.title);
    // The oldest went; every late one stayed.
    expect(titles).to.not.include('n0');
    expect(titles).to.not.include(`n${extra - 1}`);
    expect(titles).to.include(`n${extra}`);
    for (let index = 0; index < extra; index++) expect(titles).to.include(`late${index}`);
  });

  it('keeps the transparency report’s time samples to MEDIAN_SAMPLE_LIMIT per month', async function () {
    const at = new Date('2031-01-15T00:00:00Z');
    await models.TransparencyMonth.updateOne({ _id: '2031-01' }, { $set: { firstActionSeconds: Array.from({ length: MEDIAN_SAMPLE_LIMIT }, () => 1) } }, { upsert: true });
    await recordFirstAction({ models }, 99, at);
    await recordFirstAction({ models }, 98, at);
    const month = await models.TransparencyMonth.findById('2031-01').lean();
    const samples = (month as unknown as { firstActionSeconds: number[] }).firstActionSeconds;
    expect(samples).to.have.length(MEDIAN_SAMPLE_LIMIT);
    expect(samples.slice(-2)).to.deep.equal([99, 98]);
  });
});
