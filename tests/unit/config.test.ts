import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../backend/src/config/config.ts';

const SECRET = 'x'.repeat(40);

function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', function () {
  it('reads the defaults of the environment', function () {
    const config = loadConfig({ NODE_ENV: 'test' });
    expect(config.env).to.equal('test');
    expect(config.port).to.equal(0);
    expect(config.logLevel).to.equal('silent');
    expect(config.dataDir).to.match(/\/data$/);
    expect(config.mongodbUri).to.equal(undefined);
  });

  it('defaults to development, port 3000 on loopback', function () {
    const config = loadConfig({});
    expect(config.env).to.equal('development');
    expect(config.port).to.equal(3000);
    expect(config.host).to.equal('127.0.0.1');
  });

  it('lets environment variables override the files', function () {
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '4123',
      DATA_DIR: '/tmp/convene-x',
      MONGODB_URI: 'mongodb://db.internal:27017',
      REDIS_URL: 'redis://127.0.0.1:6379',
      PUBLIC_URL: 'https://convene.example/',
      TRUST_PROXY: '1',
      ALLOWED_ORIGINS: 'http://localhost:5173, https://other.example',
    });
    expect(config.port).to.equal(4123);
    expect(config.dataDir).to.equal('/tmp/convene-x');
    expect(config.mongodbUri).to.equal('mongodb://db.internal:27017');
    expect(config.redisUrl).to.equal('redis://127.0.0.1:6379');
    expect(config.publicUrl).to.equal('https://convene.example');
    expect(config.trustProxy).to.equal(1);
    expect(config.allowedOrigins).to.deep.equal(['http://localhost:5173', 'https://other.example']);
  });

  for (const [name, value] of [
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['PUBLIC_URL', 'not a url'],
    ['MONGODB_URI', 'postgres://x'],
    ['REDIS_URL', 'http://x'],
    ['SESSION_SECRET', 'short'],
    ['LOG_LEVEL', 'loud'],
    ['TRUST_PROXY', 'maybe'],
    ['DB_NAME', 'bad name!'],
  ] as const) {
    it(`stops with a message naming ${name} when it is invalid (${value})`, function () {
      expect(configError({ NODE_ENV: 'test', [name]: value })).to.contain(name);
    });
  }

  it('refuses an unknown NODE_ENV', function () {
    expect(configError({ NODE_ENV: 'staging' })).to.contain('NODE_ENV');
  });

  it('refuses to start production with the default session secret', function () {
    expect(configError({ NODE_ENV: 'production', PUBLIC_URL: 'https://convene.example' })).to.contain('SESSION_SECRET');
  });

  it('refuses production without an https public URL', function () {
    expect(configError({ NODE_ENV: 'production', SESSION_SECRET: SECRET, PUBLIC_URL: 'http://convene.example' })).to.contain('PUBLIC_URL');
  });

  it('refuses production without SMTP_URL, and DKIM settings that are only partly given', function () {
    expect(configError({ NODE_ENV: 'production', SESSION_SECRET: SECRET, PUBLIC_URL: 'https://convene.example' })).to.contain('SMTP_URL');
    expect(configError({ NODE_ENV: 'test', DKIM_DOMAIN: 'convene.example' })).to.contain('DKIM_SELECTOR');
    expect(configError({ NODE_ENV: 'test', SMTP_URL: 'http://mail.example' })).to.contain('SMTP_URL');
  });

  it('starts production with a real secret and an https URL, listening on all interfaces', function () {
    const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: SECRET, PUBLIC_URL: 'https://convene.example', SMTP_URL: 'smtp://mail.convene.example:587' });
    expect(config.host).to.equal('0.0.0.0');
    expect(config.sessionSecret).to.equal(SECRET);
  });
});
