import { expect } from 'chai';
import { AppError, Conflict, NotFound, RateLimited, errorBody, toAppError } from '../../backend/src/http/errors.ts';

describe('error mapping', function () {
  it('keeps application errors as they are', function () {
    const error = new NotFound('No such channel.');
    expect(toAppError(error)).to.equal(error);
    expect(errorBody(error)).to.deep.equal({ error: { code: 'not_found', message: 'No such channel.' } });
  });

  it('maps body-parser failures to 400, 413 and 415', function () {
    expect(toAppError({ type: 'entity.parse.failed', status: 400 }).code).to.equal('malformed_json');
    expect(toAppError({ type: 'entity.too.large', status: 413 }).status).to.equal(413);
    expect(toAppError({ type: 'encoding.unsupported', status: 415 }).status).to.equal(415);
    expect(toAppError({ type: 'charset.unsupported', status: 415 }).status).to.equal(415);
  });

  it('turns a duplicate key into a 409 naming the fields but not the values', function () {
    const mapped = toAppError({ code: 11000, keyPattern: { email: 1 }, keyValue: { email: 'someone@example.org' } });
    expect(mapped).to.be.instanceOf(Conflict);
    expect(mapped.details).to.deep.equal({ fields: ['email'] });
    expect(JSON.stringify(errorBody(mapped))).not.to.contain('someone@example.org');
  });

  it('hides unknown errors behind a 500 without their message', function () {
    const mapped = toAppError(new Error('connection string mongodb://user:secret@host'));
    expect(mapped.status).to.equal(500);
    expect(mapped.message).not.to.contain('secret');
  });

  it('carries Retry-After seconds on rate limits', function () {
    const limited = new RateLimited(30);
    expect(limited).to.be.instanceOf(AppError);
    expect(errorBody(limited).error.details).to.deep.equal({ retryAfterSeconds: 30 });
  });
});
