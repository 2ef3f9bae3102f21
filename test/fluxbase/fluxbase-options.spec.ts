import { FirehoseFluxbaseModule, FluxbaseConfigurationError } from '../../lib/index.js';
import { thrown } from '../utils/thrown.js';

describe('FirehoseFluxbaseModule.forRoot options', () => {
  it("defaults to Fluxbase's stats path, with one stats controller", () => {
    const module = FirehoseFluxbaseModule.forRoot();
    expect(module.controllers).toHaveLength(1);
    expect(Reflect.getMetadata('path', module.controllers![0])).toBe('/api/realtime/stats');
  });

  it('fails at import with an error that names the option and an example', () => {
    const cases: Array<[object, string]> = [
      [{ path: 'realtime' }, 'path "realtime" must be a URL path starting with "/", e.g. "/realtime".'],
      [{ path: '/' }, 'path "/" must be a URL path starting with "/", e.g. "/realtime".'],
      [{ statsPath: '/stats?x' }, 'statsPath "/stats?x" must be a URL path starting with "/", e.g. "/api/realtime/stats".'],
      [{ heartbeatInterval: 0 }, 'heartbeatInterval must be a positive integer (milliseconds), got 0.'],
      [{ heartbeatInterval: 1.5 }, 'heartbeatInterval must be a positive integer (milliseconds), got 1.5.'],
      [{ guards: [{}] }, 'guards must be an array of guard classes, e.g. [JwtQueryGuard].'],
      [{ allowedOrigins: 'http://localhost:3000' }, 'allowedOrigins must be an array of origins, e.g. ["http://localhost:3000"].'],
    ];
    for (const [options, message] of cases) {
      const error = thrown(() => FirehoseFluxbaseModule.forRoot(options as never));
      expect(error).toBeInstanceOf(FluxbaseConfigurationError);
      expect(error.message).toBe(`Invalid FirehoseFluxbaseModule configuration: ${message}`);
    }
  });

  it('takes paths without their trailing slash', () => {
    const module = FirehoseFluxbaseModule.forRoot({ statsPath: '/internal/stats/' });
    expect(Reflect.getMetadata('path', module.controllers![0])).toBe('/internal/stats');
  });
});
