import { PasswordHasher } from '@rampart/crypto'

export type Role = 'user' | 'moderator' | 'admin'

export interface DemoUser {
  readonly username: string
  readonly email: string | null
  readonly role: Role
  readonly tier: string
  /** PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`): never leaves this module. */
  readonly passwordHash: string
  readonly createdAt: string
}

/** What the API shows of a user: never the password or its hash. */
export interface PublicUser {
  readonly username: string
  readonly email: string | null
  readonly role: Role
  readonly tier: string
  readonly created_at: string
}

/** The demo's users and their passwords, as listed in apps/demo/README.md. Development only. */
export const DEMO_ACCOUNTS = Object.freeze([
  { username: 'alice', password: 'alice-demo-password', role: 'user' as Role, tier: 'free' },
  { username: 'morgan', password: 'morgan-demo-password', role: 'moderator' as Role, tier: 'pro' },
  { username: 'admin', password: 'admin-demo-password', role: 'admin' as Role, tier: 'enterprise' },
])

/** A password rule the registration route enforces; `rule` names it in the 400. */
export interface PasswordProblem {
  readonly rule: string
  readonly detail: string
}

const USERNAME = /^[a-z0-9][a-z0-9_.-]{2,31}$/
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,63}$/

// A few of the most common passwords of 12+ characters; a real deployment checks a breach corpus.
const COMMON = new Set([
  'password1234',
  'passwordpassword',
  '123456789012',
  'qwertyuiopas',
  'iloveyou1234',
  'administrator',
])

/**
 * The registration policy, after NIST SP 800-63B rather than composition rules (which the seeds do
 * not state either): at least 12 characters, at most 1024 bytes, not the username, not a common one.
 */
export function passwordProblem(password: string, username: string): PasswordProblem | null {
  if ([...password].length < 12) return { rule: 'min-length', detail: 'The password must be at least 12 characters.' }
  if (Buffer.byteLength(password) > 1024)
    return { rule: 'max-length', detail: 'The password must be at most 1024 bytes.' }
  if (password.toLowerCase().includes(username.toLowerCase())) {
    return { rule: 'contains-username', detail: 'The password must not contain the username.' }
  }
  if (COMMON.has(password.toLowerCase()) || /^(.)\1+$/.test(password)) {
    return { rule: 'common', detail: 'The password is too common; choose another.' }
  }
  return null
}

export function validUsername(username: string): boolean {
  return USERNAME.test(username)
}

export function validEmail(email: string): boolean {
  return EMAIL.test(email)
}

export function publicUser(user: DemoUser): PublicUser {
  return { username: user.username, email: user.email, role: user.role, tier: user.tier, created_at: user.createdAt }
}

const passwords = new PasswordHasher()
// The demo accounts are hashed once per process (Argon2id costs tens of ms each).
let seeded: Promise<DemoUser[]> | undefined

function seedUsers(): Promise<DemoUser[]> {
  seeded ??= Promise.all(
    DEMO_ACCOUNTS.map(async (account) => ({
      username: account.username,
      email: null,
      role: account.role,
      tier: account.tier,
      passwordHash: await passwords.hash(account.password),
      createdAt: new Date(0).toISOString(),
    })),
  )
  return seeded
}

/** Users by name, in memory, with Argon2id hashes (@rampart/crypto); bounded for the demo. */
export class UserDirectory {
  static readonly MAX_USERS = 10_000
  readonly #users = new Map<string, DemoUser>()

  static async create(): Promise<UserDirectory> {
    const directory = new UserDirectory()
    for (const user of await seedUsers()) directory.#users.set(user.username, user)
    return directory
  }

  get size(): number {
    return this.#users.size
  }

  get(username: string): DemoUser | undefined {
    return this.#users.get(username)
  }

  list(): DemoUser[] {
    return [...this.#users.values()]
  }

  /** `null` when the name is taken or the directory is full. */
  async register(account: { username: string; password: string; email: string | null }): Promise<DemoUser | null> {
    if (this.#users.has(account.username) || this.#users.size >= UserDirectory.MAX_USERS) return null
    const user: DemoUser = {
      username: account.username,
      email: account.email,
      role: 'user',
      tier: 'free',
      passwordHash: await passwords.hash(account.password),
      createdAt: new Date().toISOString(),
    }
    // Checked again: another registration of the name may have finished while this one hashed.
    if (this.#users.has(account.username)) return null
    this.#users.set(user.username, user)
    return user
  }

  delete(username: string): boolean {
    return this.#users.delete(username)
  }

  /** The user when the password matches (constant time; an unknown user costs the same), else null. */
  async verify(username: string, password: string): Promise<DemoUser | null> {
    const user = this.#users.get(username)
    const { valid } = await passwords.verify(user?.passwordHash ?? null, password)
    return user !== undefined && valid ? user : null
  }
}
