/**
 * One SQLite table of JSON records keyed by one text column, the shape every control-plane store
 * but the servers' uses: `(<key> TEXT PRIMARY KEY, [extra columns,] record TEXT NOT NULL)`. The
 * table is created if it does not exist, so a Durable Object's existing rows read as they are;
 * table and column names come from the stores' constants, never from a request.
 */

/** A column between the key and the record, e.g. `{ name: "token_hash", type: "TEXT NOT NULL UNIQUE" }`. */
export interface ExtraColumn {
  name: string;
  type: string;
}

export class RecordTable<T> {
  readonly #sql: SqlStorage;
  readonly #table: string;
  readonly #key: string;
  readonly #extra: readonly ExtraColumn[];

  constructor(sql: SqlStorage, table: string, key: string, extra: readonly ExtraColumn[] = []) {
    this.#sql = sql;
    this.#table = table;
    this.#key = key;
    this.#extra = extra;
    const columns = [
      `${key} TEXT PRIMARY KEY`,
      ...extra.map((c) => `${c.name} ${c.type}`),
      "record TEXT NOT NULL",
    ];
    sql.exec(`CREATE TABLE IF NOT EXISTS ${table} (${columns.join(", ")})`);
  }

  get(key: string): T | undefined {
    return this.findBy(this.#key, key);
  }

  /** The record whose `column` (the key or an extra column) holds `value`. */
  findBy(column: string, value: SqlStorageValue): T | undefined {
    return this.select(`WHERE ${column} = ?`, value)[0];
  }

  /** Every key, in key order. */
  ids(): string[] {
    return this.#sql
      .exec<Record<string, string>>(`SELECT ${this.#key} FROM ${this.#table} ORDER BY ${this.#key}`)
      .toArray()
      .map((row) => row[this.#key] as string);
  }

  /** Every record, in key order. */
  all(): T[] {
    return this.select(`ORDER BY ${this.#key}`);
  }

  /** The records `SELECT record FROM <table> <clause>` finds, for queries of a store's own. */
  select(clause: string, ...bindings: SqlStorageValue[]): T[] {
    return this.#sql
      .exec<{ record: string }>(`SELECT record FROM ${this.#table} ${clause}`, ...bindings)
      .toArray()
      .map((row) => JSON.parse(row.record) as T);
  }

  /** Stores the record under `key`, replacing any there (usable inside a storage transaction). */
  put(key: string, record: T, extra: readonly SqlStorageValue[] = []): void {
    this.#write("INSERT OR REPLACE", key, record, extra);
  }

  /** Replaces the record under `key`, keeping its extra columns; false when there is none. */
  update(key: string, record: T): boolean {
    return (
      this.#sql.exec(
        `UPDATE ${this.#table} SET record = ? WHERE ${this.#key} = ?`,
        JSON.stringify(record),
        key,
      ).rowsWritten > 0
    );
  }

  /** Stores a new record; fails if the key, or a unique extra column, is already taken. */
  insert(key: string, record: T, extra: readonly SqlStorageValue[] = []): void {
    this.#write("INSERT", key, record, extra);
  }

  /** True when there was a record under `key` (and now is not). */
  delete(key: string): boolean {
    return this.#sql.exec(`DELETE FROM ${this.#table} WHERE ${this.#key} = ?`, key).rowsWritten > 0;
  }

  #write(verb: string, key: string, record: T, extra: readonly SqlStorageValue[]): void {
    if (extra.length !== this.#extra.length)
      throw new Error(`${this.#table}: ${this.#extra.length} extra values expected`);
    const columns = [this.#key, ...this.#extra.map((c) => c.name), "record"];
    this.#sql.exec(
      `${verb} INTO ${this.#table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
      key,
      ...extra,
      JSON.stringify(record),
    );
  }
}
