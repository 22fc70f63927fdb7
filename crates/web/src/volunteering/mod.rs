//! 志愿服务 pages: my volunteering and joining (双报到), the volunteers'
//! roll for staff, service orders (三单制), activities with their check-in
//! codes, and the points shelf.

mod activities;
mod certificates;
mod orders;
mod people;
mod shelf;
mod wishes;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    people::routes()
        .merge(orders::routes())
        .merge(activities::routes())
        .merge(shelf::routes())
        .merge(certificates::routes())
        .merge(wishes::routes())
}
