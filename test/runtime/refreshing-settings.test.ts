import { RefreshingSettings } from '../../runtime/container/refreshing-settings';

/** A source whose next answers the test sets: a value, or an error. */
function scriptedSource<T>(answers: (T | Error)[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    read: async (): Promise<T> => {
      const answer = answers[Math.min(calls, answers.length - 1)];
      calls += 1;
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

describe('RefreshingSettings', () => {
  test('fails to start when the first read fails', async () => {
    const settings = new RefreshingSettings({ source: scriptedSource([new Error('no such path')]), log: { warn: jest.fn() } });
    await expect(settings.start()).rejects.toThrow('no such path');
  });

  test('serves new values as the source gives them', async () => {
    const source = scriptedSource([{ size: 1 }, { size: 2 }]);
    const settings = new RefreshingSettings({ source, log: { warn: jest.fn() } });
    expect(await settings.start()).toEqual({ size: 1 });
    expect(await settings.current()).toEqual({ size: 2 });
  });

  test('keeps the last good values when a refresh fails, logs it, and waits before trying again', async () => {
    let now = 1_000_000;
    const warn = jest.fn();
    const source = scriptedSource<{ size: number } | Error>([{ size: 1 }, new Error('throttled'), { size: 3 }]);
    const settings = new RefreshingSettings({ source: source as { read(): Promise<{ size: number }> }, log: { warn }, retryAfterSeconds: 30, now: () => now });
    await settings.start();
    expect(await settings.current()).toEqual({ size: 1 });
    expect(warn).toHaveBeenCalledWith('settings refresh failed; serving the last good settings', { reason: 'throttled' });
    now += 29_000;
    expect(await settings.current()).toEqual({ size: 1 });
    expect(source.calls).toBe(2);
    now += 2_000;
    expect(await settings.current()).toEqual({ size: 3 });
  });
});
