import type { AdminRepository } from '../db/repositories/admins.js';
import type { Channel } from '../domain/request.js';

/**
 * Who may announce and keep the calendar: the Telegram user ids in ADMIN_USER_IDS, and those
 * a configured admin added in chat. Asked again on every admin action, never remembered.
 */
export class AdminService {
  constructor(
    private readonly repo: AdminRepository,
    private readonly configured: readonly string[],
  ) {}

  async isAdmin(channel: Channel, userId: string): Promise<boolean> {
    // The local console's commander is in the configured list when the console runs.
    if (channel !== 'telegram' && channel !== 'console') return false;
    return this.configured.includes(userId) || (channel === 'telegram' && (await this.repo.has(userId)));
  }

  /** Only configured admins add or remove others: a chat-added admin cannot add more. */
  isConfigured(userId: string): boolean {
    return this.configured.includes(userId);
  }

  add(userId: string, by: string, now: number): Promise<void> {
    return this.repo.add(userId, by, now);
  }

  remove(userId: string): Promise<boolean> {
    return this.repo.remove(userId);
  }

  list(): Promise<string[]> {
    return this.repo.all();
  }
}
