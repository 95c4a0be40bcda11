//! Prepared-statement caching for the hot `UPDATE`s.
//!
//! Diesel never caches an `UPDATE`'s prepared statement (its `SET` list may vary between calls,
//! so the SQL text is not known to be the same), and SQLite compiled the quiz submit's two
//! updates on every call. [`FixedUpdate`] is an update whose table, `SET` list and `WHERE`
//! clause are fixed in the code (their values are bound parameters), so its SQL text never
//! varies; diesel caches it under the marker type `K`, one per call site.

use std::marker::PhantomData;

use diesel::backend::Backend;
use diesel::query_builder::{AsChangeset, AstPass, QueryFragment, QueryId};
use diesel::query_source::QuerySource;
use diesel::{QueryResult, RunQueryDsl, Table};

/// `UPDATE table SET values WHERE filter`, cached under `K`.
pub(crate) struct FixedUpdate<T: QuerySource, V, W, K> {
    from: T::FromClause,
    values: V,
    filter: W,
    key: PhantomData<K>,
}

/// An update of `table` whose SQL is the same at every call; `K` names it in the cache.
pub(crate) fn fixed_update<K, T, C, W>(table: T, changes: C, filter: W) -> FixedUpdate<T, C::Changeset, W, K>
where
    T: Table,
    C: AsChangeset<Target = T>,
{
    FixedUpdate { from: table.from_clause(), values: changes.as_changeset(), filter, key: PhantomData }
}

impl<T, V, W, K, DB> QueryFragment<DB> for FixedUpdate<T, V, W, K>
where
    DB: Backend,
    T: QuerySource,
    T::FromClause: QueryFragment<DB>,
    V: QueryFragment<DB>,
    W: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("UPDATE ");
        self.from.walk_ast(out.reborrow())?;
        out.push_sql(" SET ");
        self.values.walk_ast(out.reborrow())?;
        out.push_sql(" WHERE ");
        self.filter.walk_ast(out.reborrow())
    }
}

impl<T: QuerySource, V, W, K: 'static> QueryId for FixedUpdate<T, V, W, K> {
    type QueryId = K;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<T: QuerySource, V, W, K, Conn> RunQueryDsl<Conn> for FixedUpdate<T, V, W, K> {}
