/** Word lists for the generated values. No apostrophes or double quotes: single-quoted documents must stay repairable. */
export const FIRST_NAMES = [
  'Ada', 'Alan', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Edsger', 'Radia', 'Donald',
  'Katherine', 'Tim', 'Hedy', 'Guido', 'Anita', 'Bjarne', 'Sophie', 'John', 'Mary', 'James', 'Toni', 'Declan', 'Ocie',
] as const;

export const LAST_NAMES = [
  'Lovelace', 'Turing', 'Hopper', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', 'Allen', 'Dijkstra',
  'Perlman', 'Knuth', 'Johnson', 'Berners-Lee', 'Lamarr', 'van Rossum', 'Borg', 'Stroustrup', 'Wilson', 'Grady',
  'Schiller', 'Gerhold', 'Wuckert', 'Torphy', 'Stamm',
] as const;

export const BRANDS = [
  'Acme', 'Windler and Sons', 'Waters LLC', 'Thompson and Sons', 'Shanahan and Sons', 'Wuckert Group', 'Torphy Inc',
  'Stamm - Towne', 'Wilderman LLC', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark Industries', 'Wayne Enterprises',
  'Soylent', 'Cyberdyne', 'Tyrell', 'Vandelay Industries', 'Pied Piper',
] as const;

export const PLATFORMS = ['Instagram', 'TikTok', 'Facebook', 'YouTube'] as const;

export const PINTEREST_CATEGORIES = [
  'art', 'beauty', 'christmas', 'diy-and-crafts', 'education', 'event-planning', 'finance', 'home-decor',
  'mens-fashion', 'quotes', 'tattoos', 'travel', 'vehicles',
] as const;

export const COUNTRIES = [
  'Afghanistan', 'Albania', 'Algeria', 'American Samoa', 'Andorra', 'Angola', 'Anguilla',
  'Antarctica (the territory South of 60 deg S)', 'Antigua and Barbuda', 'Argentina', 'Armenia', 'Australia',
  'Bangladesh', 'Belgium', 'Brazil', 'Canada', 'Chile', 'Denmark', 'Egypt', 'France', 'Germany', 'Ghana', 'India',
  'Japan', 'Kenya', 'Mexico', 'Nepal', 'Norway', 'Palestinian Territory', 'Peru', 'Poland', 'Portugal', 'Senegal',
  'Spain', 'Sweden', 'Thailand', 'Turkey', 'United Kingdom', 'United States of America', 'Western Sahara',
] as const;

export const POSTER_NAMES = [
  'DIY Joy - Crafts, Home Improvement, Decor & Recipes', 'WeAreTeachers', 'YourTango', 'Byrdie',
  'The Best Ideas for Kids', 'CraftGossip.com', 'dresslily', 'StayGlam', 'A Cultivated Nest', 'Next Luxury',
  'Tattoo Ideas', 'Christmas Crafts', 'Money Saving Mom', 'Travel Off Path', 'Home Decor Bliss', 'Quotes Daily',
  'Mens Style Guide', 'Event Planner Pro', 'Beauty Insider', 'Car Lovers',
] as const;

export const ADJECTIVES = ['Easy', 'Stunning', 'Simple', 'Creative', 'Cheap', 'Cozy', 'Modern', 'Classic', 'Quick', 'Bold'] as const;
